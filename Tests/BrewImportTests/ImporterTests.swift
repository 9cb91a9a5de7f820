import BrewConfig
import BrewCore
import Foundation
import TOMLKit
import XCTest
@testable import BrewImport

/// Imports real exports (Fixtures/, see SOURCES.md) and hand-made messy files, and checks the
/// generated TOML by loading it with the real RecipeLoader and asserting on the `Recipe`.
final class ImporterTests: XCTestCase {
    // MARK: Helpers

    func fixture(_ name: String) throws -> Data {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try Data(contentsOf: dir.appendingPathComponent(name))
    }

    func importFixture(_ name: String) throws -> ImportResult {
        try RecipeImporter.importData(try fixture(name), fileName: name)
    }

    func importText(_ text: String, name: String = "test.xml") throws -> ImportResult {
        try RecipeImporter.importData(Data(text.utf8), fileName: name)
    }

    /// The generated TOML through the real loader (schema in docs/recipes.md).
    func load(_ r: ImportedRecipe, file: StaticString = #filePath, line: UInt = #line) throws -> Recipe {
        do {
            return try RecipeLoader.parse(r.toml, file: "\(r.slug).toml")
        } catch {
            XCTFail("RecipeLoader rejected the import of \(r.name):\n\(error.errors.map(\.description).joined(separator: "\n"))\n\(r.toml)", file: file, line: line)
            throw error
        }
    }

    func table(_ r: ImportedRecipe) throws -> TOMLTable { try TOMLTable(string: r.toml) }

    func steps(_ t: TOMLTable) -> [TOMLTable] { t["steps"]?.array?.compactMap { $0.table } ?? [] }

    func step(_ t: TOMLTable, kind: String) -> TOMLTable? { steps(t).first { $0["kind"]?.string == kind } }

    func rests(_ recipe: Recipe) -> [(Double, Double)] {
        recipe.steps.compactMap {
            if case .rest(_, let t, let d) = $0.kind { return ((t.value * 10).rounded() / 10, d.value / 60) }
            return nil
        }
    }

    func ramps(_ recipe: Recipe) -> [(Double, Double)] {
        recipe.steps.compactMap {
            if case .ramp(_, let t, let d) = $0.kind { return ((t.value * 10).rounded() / 10, d.value / 60) }
            return nil
        }
    }

    func boil(_ recipe: Recipe) -> (minutes: Double, additions: [Addition])? {
        for s in recipe.steps {
            if case .boil(_, let d, let a, _) = s.kind { return (d.value / 60, a) }
        }
        return nil
    }

    /// Additions as "what@at" with at in minutes, "fwh" or "flameout".
    func timings(_ additions: [Addition]) -> [String] {
        additions.map { a in
            switch a.timing {
            case .firstWort: "\(a.what)@fwh"
            case .flameout: "\(a.what)@flameout"
            case .remaining(let s): "\(a.what)@\(Int((s.value / 60).rounded()))"
            }
        }
    }

    func heat(_ recipe: Recipe) -> Double? {
        for s in recipe.steps { if case .heat(.hotLiquorTank, let t) = s.kind { return t.value } }
        return nil
    }

    func stages(_ t: TOMLTable) -> [String] {
        guard let f = step(t, kind: "ferment") else { return [] }
        return f["stages"]?.array?.compactMap { $0.table }.map {
            "\($0["name"]?.string ?? "?") \($0["kind"]?.string ?? "?") \($0["temperature"]?.string ?? "?") \($0["duration"]?.string ?? "?")"
        } ?? []
    }

    func alerts(_ t: TOMLTable) -> [String] {
        guard let f = step(t, kind: "ferment") else { return [] }
        return f["alerts"]?.array?.compactMap { $0.table }.map { "\($0["message"]?.string ?? "?") @ \($0["at"]?.string ?? "?")" } ?? []
    }

    // MARK: Real exports

    /// BeerSmith's four-recipe export from beerxml.com: units as text ("170.5 F"), "-" in numeric fields.
    func testBeerSmithFileWithFourRecipes() throws {
        let result = try importFixture("beersmith-recipes.xml")
        XCTAssertEqual(result.format, .beerXML)
        XCTAssertEqual(result.recipes.map(\.name), ["Burton Ale", "Dry Stout", "Porter", "Wit"])
        XCTAssertEqual(result.recipes.map(\.slug), ["burton-ale", "dry-stout", "porter", "wit"])

        let burton = result.recipes[0]
        let recipe = try load(burton)
        XCTAssertEqual(recipe.style, "English Pale Ale (BJCP 1999 1A)")
        XCTAssertEqual(recipe.batchVolume.map { ($0.value * 10).rounded() / 10 }, 18.9)
        // INFUSE_TEMP "170.5 F" → 76.9 °C → strike rounded to 0.5 °C.
        XCTAssertEqual(heat(recipe), 77)
        XCTAssertEqual(rests(recipe).map(\.0), [70, 75.6])
        XCTAssertEqual(rests(recipe).map(\.1), [45, 10])
        XCTAssertEqual(ramps(recipe).map(\.1), [2, 2], "RAMP_TIME 2 before each step")
        let b = try XCTUnwrap(boil(recipe))
        XCTAssertEqual(b.minutes, 60)
        XCTAssertEqual(timings(b.additions), ["Goldings, East Kent@60", "Northern Brewer@60", "Irish Moss@10", "Fuggles@2"])
        XCTAssertEqual(b.additions.first?.amount, "28 g")
        XCTAssertEqual(b.additions.map(\.kind?.rawValue), ["hop", "hop", "fining", "hop"]) // needs the `type` key in the schema
        XCTAssertEqual(recipe.steps.map(\.kind.keyword).suffix(3), ["chill", "confirm", "ferment"])

        let t = try table(burton)
        XCTAssertEqual(stages(t), ["Primary hold 20 C 4 d", "Secondary hold 20 C 7 d", "Conditioning hold 11.1 C 14 d"])
        // Dry hop 4320 min = 3 d of contact, ending with fermentation (4 + 7 d): day 8.
        XCTAssertEqual(alerts(t), ["Dry hop: 21 g Fuggles for 3 d @ 8 d"])
        XCTAssertEqual(step(t, kind: "heat")?["temperature"]?.string, "77 C")
        XCTAssertTrue(burton.warnings.contains { $0.description.hasPrefix("warning: \"Burton Ale\": MISC \"Polyclar\"") }, "\(burton.warnings)")
        XCTAssertTrue(burton.toml.contains("Imported from beersmith-recipes.xml (BeerXML 1.0) by brewctl import"))

        // Gypsum in the mash: not timed, in the notes, with a warning.
        let stout = result.recipes[1]
        let stoutRecipe = try load(stout)
        XCTAssertTrue(stout.warnings.contains { $0.message.contains("MISC \"Gypsum (Calcium Sulfate)\" (use Mash)") })
        XCTAssertTrue(stoutRecipe.notes?.contains("Gypsum") ?? false)
        XCTAssertEqual(rests(stoutRecipe).map(\.0), [67.8, 75.6])

        // Wit: two spices at 5 min.
        let wit = try load(result.recipes[3])
        XCTAssertEqual(timings(try XCTUnwrap(boil(wit)).additions), ["Goldings, East Kent@60", "Coriander Seed@5", "Orange Peel, Bitter@5"])
        XCTAssertEqual(try XCTUnwrap(boil(wit)).additions.last?.kind?.rawValue, "spice")
        for r in result.recipes { _ = try load(r) }
    }

    /// A BeerXML export with °F written into the °C fields, CRLF line ends and no XML declaration.
    func testFahrenheitInCelsiusFieldsAndCRLF() throws {
        let data = try fixture("simcoe-ipa.xml")
        XCTAssertTrue(data.contains(0x0D), "fixture keeps its CRLF line ends")
        let result = try importFixture("simcoe-ipa.xml")
        let r = try XCTUnwrap(result.recipes.first)
        let recipe = try load(r)
        XCTAssertEqual(recipe.style, "American IPA (BJCP 14B)")
        XCTAssertEqual(rests(recipe).map(\.0), [38.9, 66.7, 67.8, 79.4])
        XCTAssertEqual(rests(recipe).map(\.1), [20, 30, 60, 10])
        let b = try XCTUnwrap(boil(recipe))
        XCTAssertEqual(b.minutes, 30)
        XCTAssertEqual(timings(b.additions), ["Simcoe@30", "Simcoe@15", "Simcoe@10"])
        XCTAssertTrue(r.warnings.contains { $0.message.contains("read as °F") })
        // No fermentation ages: one assumed primary at the yeast's range (59–71 °F → 18.3 °C).
        XCTAssertEqual(stages(try table(r)), ["Primary hold 18.3 C 14 d"])
        XCTAssertTrue(r.warnings.contains { $0.message.contains("a 14 d primary") })
    }

    func testOatmealStoutWithUnknownGrainTemperature() throws {
        let r = try XCTUnwrap(try importFixture("oatmeal-stout.xml").recipes.first)
        let recipe = try load(r)
        XCTAssertEqual(recipe.name, "Oatmeal Stout no. 1")
        XCTAssertEqual(rests(recipe).map(\.0), [68, 76])
        XCTAssertEqual(timings(try XCTUnwrap(boil(recipe)).additions), ["Fuggle@45", "Protafloc@15"])
        XCTAssertEqual(try XCTUnwrap(boil(recipe)).additions.last?.kind?.rawValue, "fining")
        XCTAssertEqual(try XCTUnwrap(boil(recipe)).additions.first?.amount, "100 g")
        XCTAssertEqual(stages(try table(r)), ["Primary hold 18 C 21 d"])
        // No strike volume given: 3 L/kg of 6.4 kg, said so in a comment.
        XCTAssertTrue(r.toml.contains("estimated at 3 L/kg of grain"))
        XCTAssertTrue(r.toml.contains("volume = \"19.2 L\""))
    }

    func testPunkIPADryHopsWithoutFermentationLength() throws {
        let r = try XCTUnwrap(try importFixture("brewdog-punk-ipa.xml").recipes.first)
        let recipe = try load(r)
        let b = try XCTUnwrap(boil(recipe))
        XCTAssertEqual(timings(b.additions), ["Chinook@60", "Ahtanum@60", "Chinook@30", "Ahtanum@30",
                                              "Chinook@flameout", "Ahtanum@flameout", "Simcoe@flameout", "Nelson Sauvin@flameout"])
        let t = try table(r)
        XCTAssertEqual(alerts(t).count, 6)
        // 10080 min of contact, but no PRIMARY_AGE: the profile end is unknown, so day 3.
        XCTAssertEqual(alerts(t).first, "Dry hop: 48 g Chinook for 7 d @ 3 d")
        XCTAssertEqual(stages(t), ["Primary hold 19 C 14 d"])
        XCTAssertEqual(step(t, kind: "chill")?["temperature"]?.string, "19 C")
        XCTAssertTrue(r.warnings.contains { $0.message.contains("no length") })
    }

    func testBeerJSONMedievalAle() throws {
        let result = try importFixture("beerjson-medieval-ale.json")
        XCTAssertEqual(result.format, .beerJSON)
        let r = try XCTUnwrap(result.recipes.first)
        let recipe = try load(r)
        XCTAssertEqual(recipe.name, "#20 1058 Medieval Ale")
        XCTAssertEqual(recipe.style, "Specialty (BJCP 1999 24A)")
        XCTAssertEqual(recipe.batchVolume.map { ($0.value * 10).rounded() / 10 }, 20.8) // 5.5 gal
        XCTAssertEqual(rests(recipe).map(\.0), [70]) // 158 °F
        XCTAssertEqual(rests(recipe).map(\.1), [70])
        XCTAssertEqual(ramps(recipe).map(\.1), [5])
        XCTAssertEqual(heat(recipe).map { ($0 * 2).rounded() / 2 }, 74) // infuse 165 °F
        let b = try XCTUnwrap(boil(recipe))
        XCTAssertEqual(b.minutes, 90)
        XCTAssertEqual(timings(b.additions), ["Bitter Orange Peel@60", "Licorice Stick@60", "Mugwort@60", "Lemon Balm@flameout"])
        XCTAssertEqual(b.additions.first?.amount, "18 g") // 0.63 oz
        XCTAssertTrue(r.warnings.contains { $0.message.contains("misc \"Juniper Berries\" goes into the fermenter") })
        // 11.25 lb of grain (the honey is not mashed).
        XCTAssertTrue(r.toml.contains("mass = \"5.1 kg\""), r.toml)
    }

    // MARK: Messy files

    static let messyXML = """
    \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>\r
    <recipes>\r
     <Recipe>\r
      <name>Pliny "the Elder" clone</name>\r
      <batch_size>23 L</batch_size>\r
      <boil_size>-</boil_size>\r
      <boil_time>60 min</boil_time>\r
      <STYLE><NAME>Double IPA</NAME><CATEGORY_NUMBER>22</CATEGORY_NUMBER><STYLE_LETTER>A</STYLE_LETTER></STYLE>\r
      <FERMENTABLES>\r
       <FERMENTABLE><NAME>Pale</NAME><TYPE>Grain</TYPE><AMOUNT>6.5</AMOUNT></FERMENTABLE>\r
       <FERMENTABLE><NAME>Dextrose</NAME><TYPE>Sugar</TYPE><AMOUNT>1 lb</AMOUNT><ADD_AFTER_BOIL>TRUE</ADD_AFTER_BOIL></FERMENTABLE>\r
       <FERMENTABLE><NAME>Mystery</NAME><TYPE>Grain</TYPE><AMOUNT>-</AMOUNT></FERMENTABLE>\r
      </FERMENTABLES>\r
      <HOPS>\r
       <HOP><NAME>Columbus</NAME><AMOUNT>0.05</AMOUNT><USE>First Wort</USE><TIME>60</TIME></HOP>\r
       <HOP><NAME>Simcoe</NAME><AMOUNT>30 g</AMOUNT><USE>Boil</USE><TIME>90</TIME></HOP>\r
       <HOP><NAME>Centennial</NAME><AMOUNT>0.02</AMOUNT><USE>boil</USE><TIME>15 min</TIME></HOP>\r
       <HOP><NAME>Amarillo</NAME><AMOUNT>0.03</AMOUNT><USE>Aroma</USE><TIME>0</TIME></HOP>\r
       <HOP><NAME>Citra</NAME><AMOUNT>0.04</AMOUNT><USE>Aroma</USE><TIME>20</TIME></HOP>\r
       <HOP><NAME>Mosaic</NAME><AMOUNT>0.02</AMOUNT><USE>Aroma</USE><TIME>10</TIME></HOP>\r
       <HOP><NAME>Warrior</NAME><AMOUNT>0.01</AMOUNT><USE>Mash</USE><TIME>60</TIME></HOP>\r
       <HOP><NAME>Citra</NAME><AMOUNT>0.1</AMOUNT><USE>Dry Hop</USE><TIME>4320</TIME></HOP>\r
      </HOPS>\r
      <MISCS>\r
       <MISC><NAME>Whirlfloc</NAME><TYPE>Fining</TYPE><USE>Boil</USE><TIME>15</TIME><AMOUNT>0.001</AMOUNT><AMOUNT_IS_WEIGHT>TRUE</AMOUNT_IS_WEIGHT></MISC>\r
       <MISC><NAME>Yeast Nutrient</NAME><TYPE>Other</TYPE><USE>Boil</USE><TIME>10</TIME><AMOUNT>0.002</AMOUNT><AMOUNT_IS_WEIGHT>TRUE</AMOUNT_IS_WEIGHT></MISC>\r
       <MISC><NAME>Gypsum</NAME><TYPE>Water Agent</TYPE><USE>Boil</USE><TIME>60</TIME><AMOUNT>0.003</AMOUNT><AMOUNT_IS_WEIGHT>TRUE</AMOUNT_IS_WEIGHT></MISC>\r
       <MISC><NAME>Lactic acid</NAME><TYPE>Water Agent</TYPE><USE>Sparge</USE><AMOUNT>0.005</AMOUNT><AMOUNT_IS_WEIGHT>FALSE</AMOUNT_IS_WEIGHT></MISC>\r
      </MISCS>\r
      <YEASTS><YEAST><NAME>WLP001</NAME><LABORATORY>White Labs</LABORATORY></YEAST></YEASTS>\r
      <MASH><GRAIN_TEMP>68 F</GRAIN_TEMP><MASH_STEPS>\r
       <MASH_STEP><NAME>Protein</NAME><TYPE>Infusion</TYPE><STEP_TEMP>122 F</STEP_TEMP><STEP_TIME>15 min</STEP_TIME><INFUSE_AMOUNT>18</INFUSE_AMOUNT></MASH_STEP>\r
       <MASH_STEP><NAME>Skipped</NAME><TYPE>Temperature</TYPE><STEP_TEMP>60</STEP_TEMP><STEP_TIME>0</STEP_TIME></MASH_STEP>\r
       <MASH_STEP><NAME>Sacch</NAME><TYPE>Temperature</TYPE><STEP_TEMP>-</STEP_TEMP><DISPLAY_STEP_TEMP>151 F</DISPLAY_STEP_TEMP><STEP_TIME>60</STEP_TIME><RAMP_TIME>10</RAMP_TIME></MASH_STEP>\r
       <MASH_STEP><NAME>Decoction</NAME><TYPE>Decoction</TYPE><STEP_TEMP>72</STEP_TEMP><STEP_TIME>10</STEP_TIME></MASH_STEP>\r
      </MASH_STEPS></MASH>\r
      <PRIMARY_AGE>10</PRIMARY_AGE><PRIMARY_TEMP>66 F</PRIMARY_TEMP>\r
      <SECONDARY_AGE>-</SECONDARY_AGE>\r
     </Recipe>\r
    </recipes>\r

    """

    func testMessyBeerXML() throws {
        let result = try importText(Self.messyXML)
        let r = try XCTUnwrap(result.recipes.first)
        let w = r.warnings.map(\.description)
        let recipe = try load(r)
        XCTAssertEqual(recipe.name, "Pliny \"the Elder\" clone")
        XCTAssertEqual(r.slug, "pliny-the-elder-clone")
        XCTAssertEqual(recipe.style, "Double IPA (BJCP 22A)")
        // 122 °F, zero-minute step skipped, DISPLAY_ fallback 151 °F with its ramp, decoction as a rest.
        XCTAssertEqual(rests(recipe).map(\.0), [50, 66.1, 72])
        XCTAssertEqual(rests(recipe).map(\.1), [15, 60, 10])
        XCTAssertEqual(ramps(recipe).map(\.0), [66.1])
        XCTAssertEqual(ramps(recipe).map(\.1), [10])
        XCTAssertTrue(w.contains("warning: \"Pliny \"the Elder\" clone\": MASH_STEP \"Decoction\" (type Decoction) imported as a rest; decoction is done by hand"), "\(w)")
        XCTAssertTrue(w.contains { $0.contains("MASH_STEP \"Skipped\" has a zero or missing STEP_TIME") })
        let b = try XCTUnwrap(boil(recipe))
        XCTAssertEqual(timings(b.additions), ["Columbus@fwh", "Simcoe@60", "Gypsum@60", "Centennial@15", "Whirlfloc@15", "Yeast Nutrient@10",
                                              "Dextrose@flameout", "Amarillo@flameout"])
        XCTAssertEqual(b.additions.map(\.kind?.rawValue), ["hop", "hop", "salt", "hop", "fining", "nutrient", "sugar", "hop"])
        XCTAssertEqual(b.additions[1].amount, "30 g")
        XCTAssertTrue(w.contains { $0.contains("HOP \"Simcoe\" at 90 min is longer than the 60 min boil") }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("HOP \"Warrior\" (use Mash)") })
        XCTAssertTrue(w.contains { $0.contains("MISC \"Lactic acid\" (use Sparge)") })
        XCTAssertTrue(w.contains { $0.contains("FERMENTABLE \"Mystery\" has no usable AMOUNT") })
        XCTAssertTrue(recipe.notes?.contains("Mash hop: 10 g Warrior") ?? false)

        let t = try table(r)
        let whirlpool = try XCTUnwrap(step(t, kind: "whirlpool"))
        XCTAssertEqual(whirlpool["duration"]?.string, "20 min")
        let wAdds = whirlpool["additions"]?.array?.compactMap { $0.table }.map { "\($0["what"]?.string ?? "")@\($0["at"]?.string ?? "")" }
        XCTAssertEqual(wAdds, ["Citra@20 min", "Mosaic@10 min"])
        XCTAssertEqual(stages(t), ["Primary hold 18.9 C 10 d"])
        XCTAssertEqual(alerts(t), ["Dry hop: 100 g Citra for 3 d @ 7 d"])
        XCTAssertEqual(recipe.steps.map(\.kind.keyword).filter { $0 == "whirlpool" || $0 == "ferment" }, ["whirlpool", "ferment"])
        // Strike water: 18 L given; boil size "-" → estimated, said so in a comment.
        XCTAssertTrue(r.toml.contains("Boil size not in the source"))
        XCTAssertTrue(r.toml.contains("volume = \"18 L\""))
    }

    func testBeerJSONWithStagesWhirlpoolAndDryHop() throws {
        let json = """
        {"beerjson": {"version": 1.0, "recipes": [
          {"name": "Hazy", "type": "all grain",
           "batch_size": {"unit": "l", "value": 20},
           "boil": {"pre_boil_size": {"unit": "l", "value": 26}, "boil_time": {"unit": "min", "value": 60},
                    "boil_steps": [{"name": "Whirlpool at 80C", "end_temperature": {"unit": "C", "value": 80}}]},
           "ingredients": {
             "fermentable_additions": [
               {"name": "Pilsner", "type": "grain", "amount": {"unit": "kg", "value": 5}},
               {"name": "Candi sugar", "type": "sugar", "amount": {"unit": "g", "value": 500},
                "timing": {"use": "add_to_boil", "time": {"unit": "min", "value": 15}}}],
             "hop_additions": [
               {"name": "Magnum", "amount": {"unit": "oz", "value": 1}, "timing": {"use": "add_to_boil", "time": {"unit": "min", "value": 60}}},
               {"name": "Citra", "amount": {"unit": "g", "value": 100}, "timing": {"use": "add_to_boil", "time": {"unit": "min", "value": 20}, "step": 1}},
               {"name": "Mosaic", "amount": {"unit": "g", "value": 100}, "timing": {"use": "add_to_fermentation", "time": {"unit": "day", "value": 4}, "duration": {"unit": "day", "value": 3}}}],
             "miscellaneous_additions": [
               {"name": "Irish Moss", "type": "fining", "amount": {"unit": "tsp", "value": 1}, "timing": {"use": "add_to_boil", "time": {"unit": "min", "value": 10}}}],
             "culture_additions": [{"name": "London Ale III", "laboratory": "Wyeast", "product_id": "1318"}]},
           "mash": {"grain_temperature": {"unit": "C", "value": 20}, "mash_steps": [
             {"name": "Mash", "type": "infusion", "amount": {"unit": "l", "value": 15}, "step_temperature": {"unit": "C", "value": 67}, "step_time": {"unit": "min", "value": 60}},
             {"name": "Sparge", "type": "sparge", "amount": {"unit": "l", "value": 14}, "step_temperature": {"unit": "C", "value": 76}, "step_time": {"unit": "min", "value": 10}}]},
           "fermentation": {"fermentation_steps": [
             {"name": "Primary", "start_temperature": {"unit": "C", "value": 18}, "end_temperature": {"unit": "C", "value": 18}, "step_time": {"unit": "day", "value": 5}},
             {"name": "Free rise", "start_temperature": {"unit": "C", "value": 18}, "end_temperature": {"unit": "C", "value": 21}, "step_time": {"unit": "day", "value": 2}},
             {"name": "Cold crash", "start_temperature": {"unit": "F", "value": 35}, "end_temperature": {"unit": "F", "value": 35}, "step_time": {"unit": "day", "value": 2}}]}}
        ]}}
        """
        let r = try XCTUnwrap(try importText(json, name: "hazy.json").recipes.first)
        let recipe = try load(r)
        let b = try XCTUnwrap(boil(recipe))
        XCTAssertEqual(timings(b.additions), ["Magnum@60", "Candi sugar@15", "Irish Moss@10"])
        XCTAssertEqual(b.additions.map(\.amount), ["28 g", "0.5 kg", "4.9 ml"])
        XCTAssertEqual(b.additions.map(\.kind?.rawValue), ["hop", "sugar", "fining"])
        let t = try table(r)
        let whirlpool = try XCTUnwrap(step(t, kind: "whirlpool"))
        XCTAssertEqual(whirlpool["temperature"]?.string, "80 C")
        XCTAssertEqual(whirlpool["duration"]?.string, "20 min")
        XCTAssertEqual(stages(t), ["Primary hold 18 C 5 d", "Free rise ramp 21 C 2 d", "Cold crash hold 1.7 C 2 d"])
        XCTAssertEqual(alerts(t), ["Dry hop: 100 g Mosaic for 3 d @ 4 d"])
        XCTAssertEqual(step(t, kind: "chill")?["temperature"]?.string, "18 C")
        // Sparge volume from the sparge step: 15 L + 14 L.
        XCTAssertTrue(r.toml.contains("Fill the HLT with 29 L"), r.toml)
        XCTAssertTrue(r.warnings.isEmpty, "\(r.warnings)")
    }

    func testSeveralRecipesAndSelection() throws {
        let result = try importFixture("beersmith-recipes.xml")
        XCTAssertEqual(try RecipeImporter.select(result.recipes, "3").name, "Porter")
        XCTAssertEqual(try RecipeImporter.select(result.recipes, "dry stout").name, "Dry Stout")
        XCTAssertEqual(try RecipeImporter.select(result.recipes, "burton-ale").name, "Burton Ale")
        XCTAssertThrowsError(try RecipeImporter.select(result.recipes, "5"))
        XCTAssertThrowsError(try RecipeImporter.select(result.recipes, "Pliny"))
        XCTAssertTrue(result.recipes[2].toml.contains("recipe 3 of 4"))
        XCTAssertEqual(RecipeImporter.slugify("Pliny the Elder (clone) #2"), "pliny-the-elder-clone-2")
        XCTAssertEqual(RecipeImporter.slugify("Kölsch à la Köln"), "kolsch-a-la-koln")
    }

    func testMissingSections() throws {
        let r = try XCTUnwrap(try importText("<RECIPES><RECIPE><NAME>Bare</NAME></RECIPE></RECIPES>").recipes.first)
        let recipe = try load(r)
        XCTAssertEqual(recipe.name, "Bare")
        XCTAssertEqual(try XCTUnwrap(boil(recipe)).minutes, 60)
        let w = r.warnings.map(\.message)
        XCTAssertTrue(w.contains { $0.contains("60 min boil is assumed") })
        XCTAssertTrue(w.contains { $0.contains("no grain to mash") })
        XCTAssertTrue(w.contains { $0.contains("no fermentation data and no yeast") })
        XCTAssertFalse(recipe.steps.contains { $0.kind.keyword == "ferment" })
    }

    func testNamesWithAnyCharactersSurviveTheRoundTrip() throws {
        // Everything XML 1.0 can carry: tabs, quotes, backslashes, DEL, emoji, non-ASCII letters.
        let name = "Tab\there \"quoted\" back\\slash \u{7F}del 🍺 Ærø"
        let xml = "<RECIPES><RECIPE><NAME>\(name)</NAME><YEASTS><YEAST><NAME>Line1\nLine2 \"\"\" end</NAME></YEAST></YEASTS></RECIPE></RECIPES>"
        let r = try XCTUnwrap(try importText(xml).recipes.first)
        let recipe = try load(r)
        XCTAssertEqual(recipe.name, name)
        XCTAssertTrue(recipe.notes?.contains("Line1\nLine2 \"\"\" end") ?? false, recipe.notes ?? "no notes")

        // Control characters XML cannot hold arrive through BeerJSON, and survive TOML too.
        let control = "bell\u{07} start\u{01} esc\u{1B} end"
        let json = #"{"beerjson": {"version": 1.0, "recipes": [{"name": "bell\u0007 start\u0001 esc\u001b end", "type": "all grain"}]}}"#
        let fromJSON = try XCTUnwrap(try importText(json, name: "control.json").recipes.first)
        XCTAssertEqual(try load(fromJSON).name, control)

        let plain = try XCTUnwrap(try importText("<RECIPES><RECIPE><NAME>\"\"\" ] [[steps]] \\u0041</NAME></RECIPE></RECIPES>").recipes.first)
        XCTAssertEqual(try load(plain).name, "\"\"\" ] [[steps]] \\u0041")
    }

    func testACharacterXMLForbidsIsACleanError() {
        // XML 1.0 forbids U+0001 even as a character reference: refused with a message, not a crash
        // and not a recipe with the character silently dropped.
        let xml = "<RECIPES><RECIPE><NAME>bell&#x1;</NAME></RECIPE></RECIPES>"
        XCTAssertThrowsError(try importText(xml, name: "forbidden.xml")) { error in
            let message = (error as? ImportError)?.message ?? ""
            XCTAssertFalse(message.isEmpty, "\(error)")
        }
    }

    func testTOMLStringEscaping() throws {
        let s = "a\"b\\c\nd\te\u{1}f\u{1F}g\u{7F}h\u{85}i🍺 Ærø"
        let t = try TOMLTable(string: "k = \(TOML.string(s))\nm = \(TOML.multiline(s + "\"\"\"x"))")
        XCTAssertEqual(t["k"]?.string, s)
        XCTAssertEqual(t["m"]?.string, s + "\"\"\"x\n")
    }

    func testUnitsAsText() throws {
        XCTAssertEqual(Measure(text: "170.5 F")?.celsius ?? 0, 76.94, accuracy: 0.01)
        XCTAssertEqual(Measure(text: "60 min")?.minutes, 60)
        XCTAssertEqual(Measure(text: "1.5 hr")?.minutes, 90)
        XCTAssertEqual(Measure(text: "3 days")?.minutes, 4320)
        XCTAssertEqual(Measure(text: "5.00 gal")?.litres ?? 0, 18.93, accuracy: 0.01)
        XCTAssertEqual(Measure(text: "4.24250e+01")?.value, 42.425)
        XCTAssertEqual(Measure(text: "1,5 kg")?.kilograms, 1.5)
        XCTAssertEqual(Measure(text: "8 oz")?.kilograms ?? 0, 0.2268, accuracy: 0.0001)
        XCTAssertEqual(Measure(text: "10.00 gm")?.kilograms, 0.01)
        XCTAssertEqual(Measure(text: "66 °C")?.celsius, 66)
        XCTAssertNil(Measure(text: "-"))
        XCTAssertNil(Measure(text: ""))
        XCTAssertNil(Measure(text: "unknown"))
        XCTAssertNil(Measure(text: "DISPLAY_STEP_TEMP"))
        let furlongs = try XCTUnwrap(Measure(text: "12 furlongs"), "a number with a unit it does not know")
        XCTAssertEqual(furlongs.unit, "furlongs")
        XCTAssertNil(furlongs.litres)
    }

    // MARK: Garbage

    func testGarbageIsACleanError() {
        let inputs: [(String, Data)] = [
            ("empty", Data()),
            ("text", Data("hello brewer".utf8)),
            ("truncated xml", Data("<RECIPES><RECIPE><NAME>x</NA".utf8)),
            ("not beerxml", Data("<html><body>hi</body></html>".utf8)),
            ("bad json", Data("{\"beerjson\": {\"recipes\": [".utf8)),
            ("json without recipes", Data("{\"a\": 1}".utf8)),
            ("empty recipes", Data("{\"beerjson\": {\"recipes\": []}}".utf8)),
            ("binary", Data((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })),
            ("deep", Data((String(repeating: "<A>", count: 5000) + String(repeating: "</A>", count: 5000)).utf8)),
        ]
        for (label, data) in inputs {
            XCTAssertThrowsError(try RecipeImporter.importData(data, fileName: "\(label).x"), label) { error in
                XCTAssertFalse((error as? ImportError)?.message.isEmpty ?? true, label)
            }
        }
        XCTAssertThrowsError(try RecipeImporter.importFile(path: "/nonexistent/recipe.xml"))
        XCTAssertThrowsError(try RecipeImporter.importFile(path: NSTemporaryDirectory()))
    }

    func testBareAmpersandIsRepaired() throws {
        let result = try importText("<RECIPES><RECIPE><NAME>Hops & Grain</NAME></RECIPE></RECIPES>")
        XCTAssertEqual(result.recipes.first?.name, "Hops & Grain")
        XCTAssertTrue(result.fileWarnings.contains { $0.message.contains("bare `&`") })
    }

    // MARK: Fuzz

    /// Mutates the real fixtures (truncate, flip bytes, duplicate or drop tags) with a seeded
    /// generator: every input must give recipes that load, or a clean error — never a crash.
    func testFuzzedFixturesNeverCrash() throws {
        var rng = SplitMix(seed: 0xB8E3_2026)
        let names = ["beersmith-recipes.xml", "simcoe-ipa.xml", "oatmeal-stout.xml", "brewdog-punk-ipa.xml", "beerjson-medieval-ale.json"]
        let originals = try names.map { try fixture($0) }
        var imported = 0, errors = 0
        for i in 0..<300 {
            var bytes = [UInt8](originals[i % originals.count])
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                switch rng.next() % 5 {
                case 0: // truncate
                    bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
                case 1: // flip bytes
                    for _ in 0..<(1 + Int(rng.next() % 8)) where !bytes.isEmpty {
                        bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                    }
                case 2: // duplicate a slice starting at a tag (or a brace)
                    let starts: [Int] = Array(0..<bytes.count).filter { bytes[$0] == UInt8(ascii: "<") || bytes[$0] == UInt8(ascii: "{") }
                    if !starts.isEmpty {
                        let s: Int = starts[Int(rng.next() % UInt64(starts.count))]
                        let len = min(bytes.count - s, 1 + Int(rng.next() % 400))
                        bytes.insert(contentsOf: bytes[s..<(s + len)], at: s)
                    }
                case 3: // drop a slice
                    if bytes.count > 2 {
                        let s = Int(rng.next() % UInt64(bytes.count - 1))
                        bytes.removeSubrange(s..<min(bytes.count, s + 1 + Int(rng.next() % 200)))
                    }
                default: // replace a number with garbage
                    if let d = bytes.firstIndex(where: { (0x30...0x39).contains($0) }) {
                        let at = min(bytes.count - 1, d + Int(rng.next() % UInt64(max(1, bytes.count - d))))
                        bytes.replaceSubrange(at..<at, with: Array(["-", "1e999", "nan", "-7", "99999", "0"][Int(rng.next() % 6)].utf8))
                    }
                }
            }
            do {
                let result = try RecipeImporter.importData(Data(bytes), fileName: "fuzz\(i)")
                XCTAssertFalse(result.recipes.isEmpty, "case \(i)")
                for r in result.recipes {
                    do {
                        _ = try RecipeLoader.parse(r.toml, file: "fuzz\(i).toml")
                    } catch {
                        XCTFail("case \(i): generated TOML does not load: \(error.errors.first.map(\.description) ?? "")\n\(r.toml)")
                    }
                }
                imported += 1
            } catch {
                XCTAssertFalse(error.message.isEmpty)
                errors += 1
            }
        }
        XCTAssertGreaterThan(imported, 30)
        XCTAssertGreaterThan(errors, 10)
    }
}

/// A small seeded generator (SplitMix64), so fuzz failures reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
