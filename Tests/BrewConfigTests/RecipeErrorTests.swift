import BrewConfig
import BrewCore
import XCTest

/// Each kind of mistake in a recipe is reported with the right place, key and message.
final class RecipeErrorTests: XCTestCase {
    /// A one-step recipe around the given step body.
    func step(_ body: String) -> String {
        "name = \"T\"\n[[steps]]\nname = \"S\"\n" + body
    }

    func testDescriptionIsCompilerStyle() {
        let e = ConfigError(file: "Recipes/ipa.toml", line: 12, column: 5, key: "steps[3].temperature", message: "\"150 C\" is too high",
                            expected: "a temperature from 0 °C to 105 °C", suggestion: "did you mean `temperature`?")
        XCTAssertEqual(e.description,
                       "Recipes/ipa.toml:12:5: error: steps[3].temperature: \"150 C\" is too high; expected a temperature from 0 °C to 105 °C; did you mean `temperature`?")
        let bare = ConfigError(file: "a.toml", line: 1, column: 2, key: "", message: "TOML syntax: oops")
        XCTAssertEqual(bare.description, "a.toml:1:2: error: TOML syntax: oops")
        let unreadable = ConfigError(file: "missing.toml", line: 0, column: 0, key: "", message: "no such file", unreadable: true)
        XCTAssertEqual(unreadable.description, "missing.toml: error: no such file")
        XCTAssertTrue(unreadable.isUnreadable)
        XCTAssertFalse(e.isUnreadable)
        XCTAssertEqual(ConfigErrors(errors: [e, bare]).description, e.description + "\n" + bare.description)
    }

    func testUnknownKeyWithDidYouMean() {
        let text = step("kind = \"rest\"\nvessel = \"mash_tun\"\ntempreature = 66\nduration = \"60 min\"\n")
        let errors = recipeErrors(text, file: "Recipes/x.toml")
        XCTAssertEqual(errors.count, 2, "\(errors)")
        // The missing key points at the step's header…
        XCTAssertEqual(errors.first?.key, "steps[0].temperature")
        XCTAssertEqual(errors.first.map { [$0.line, $0.column] }, [2, 1])
        XCTAssertEqual(errors.first?.message, "missing required key `temperature` in a rest step")
        XCTAssertEqual(errors.first?.expected?.hasPrefix("a temperature like"), true)
        // …and the misspelt one at itself, with a suggestion.
        let unknown = errors.last
        XCTAssertEqual(unknown?.key, "steps[0].tempreature")
        XCTAssertEqual(unknown.map { [$0.line, $0.column] }, [6, 1])
        XCTAssertEqual(unknown?.message, "unknown key `tempreature` in a rest step")
        XCTAssertEqual(unknown?.suggestion, "did you mean `temperature`?")
        XCTAssertEqual(unknown?.file, "Recipes/x.toml")
        XCTAssertEqual(unknown?.description,
                       "Recipes/x.toml:6:1: error: steps[0].tempreature: unknown key `tempreature` in a rest step; did you mean `temperature`?")
    }

    func testUnknownKeyWithoutCloseMatchListsTheValidOnes() {
        let errors = recipeErrors(step("kind = \"off\"\nvessel = \"hlt\"\ncolour = \"gold\"\n"))
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.key, "steps[0].colour")
        XCTAssertEqual(errors.first?.suggestion, "valid keys here: `name`, `kind` and `vessel`")
        // A top-level typo: `[[step]]` for `[[steps]]`.
        let top = recipeErrors("name = \"T\"\n[[step]]\nname = \"x\"\n")
        XCTAssertEqual(top.map(\.key), ["steps", "step"])
        XCTAssertEqual(top.last?.suggestion, "did you mean `steps`?")
        XCTAssertEqual(top.last.map { [$0.line, $0.column] }, [2, 1])
    }

    func testKeyThatDoesNotApplyToTheStepKind() {
        let errors = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = 73\nduration = \"10 min\"\n"))
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.key, "steps[0].duration")
        XCTAssertEqual(errors.first?.message, "`duration` does not apply to a heat step")
        XCTAssertEqual(errors.first?.suggestion, "a heat step takes `name`, `kind`, `vessel` and `temperature`")
        XCTAssertEqual(errors.first.map { [$0.line, $0.column] }, [7, 1])
    }

    func testWrongUnitKind() {
        let text = step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = \"5500 W\"\n")
        let errors = recipeErrors(text)
        XCTAssertEqual(errors.count, 1)
        let e = errors.first
        XCTAssertEqual(e?.key, "steps[0].temperature")
        XCTAssertEqual(e.map { [$0.line, $0.column] }, [6, 15])
        XCTAssertEqual(e?.message, "\"5500 W\" is a power (`W`), not a temperature")
        XCTAssertEqual(e?.expected, "a temperature like \"66 C\", \"152 F\" or 66 (°C)")

        let duration = recipeErrors(step("kind = \"rest\"\nvessel = \"hlt\"\ntemperature = 66\nduration = \"60 L\"\n"))
        XCTAssertEqual(duration.first?.message, "\"60 L\" is a volume (`L`), not a duration")
        let kelvin = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = \"340 K\"\n"))
        XCTAssertEqual(kelvin.first?.message, "\"340 K\" is in kelvin; write temperatures in °C (or °F)")
        let unknownUnit = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = \"66 Cel\"\n"))
        XCTAssertEqual(unknownUnit.first?.message, "unknown unit `Cel` in \"66 Cel\"")
        let notANumber = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = \"hot\"\n"))
        XCTAssertEqual(notANumber.first?.message, "\"hot\" is not a temperature")
        let wrongType = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = true\n"))
        XCTAssertEqual(wrongType.first?.message, "found true/false")
        XCTAssertEqual(wrongType.first?.expected, "a temperature like \"66 C\", \"152 F\" or 66 (°C)")
    }

    func testDurationWithoutUnit() {
        let errors = recipeErrors(step("kind = \"rest\"\nvessel = \"mash_tun\"\ntemperature = 66\nduration = 60\n"))
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.key, "steps[0].duration")
        XCTAssertEqual(errors.first?.message, "60 has no unit")
        XCTAssertEqual(errors.first?.suggestion, "write the unit in quotes, e.g. \"60 min\"")
        XCTAssertEqual(errors.first.map { [$0.line, $0.column] }, [7, 12])
        XCTAssertEqual(recipeErrors(step("kind = \"rest\"\nvessel = \"mash_tun\"\ntemperature = 66\nduration = \"60\"\n")).first?.message,
                       "\"60\" has no unit")
    }

    func testRangeChecks() {
        // A mash rest at 150 °C.
        let hot = recipeErrors(step("kind = \"rest\"\nvessel = \"mash_tun\"\ntemperature = \"150 C\"\nduration = \"60 min\"\n"))
        XCTAssertEqual(hot.count, 1)
        XCTAssertEqual(hot.first?.message, "\"150 C\" is too high for a rest step")
        XCTAssertEqual(hot.first?.expected, "a temperature from 0 °C to 105 °C")
        XCTAssertEqual(hot.first.map { [$0.line, $0.column] }, [6, 15])
        // 250 °F is 121 °C.
        XCTAssertEqual(recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = \"250 F\"\n")).first?.message,
                       "\"250 F\" is too high for a heat step")
        XCTAssertEqual(recipeErrors(step("kind = \"chill\"\nvessel = \"kettle\"\ntemperature = -5\n")).first?.message,
                       "-5 is too low for a chill step")
        // Negative and zero durations.
        let negative = recipeErrors(step("kind = \"rest\"\nvessel = \"mash_tun\"\ntemperature = 66\nduration = \"-5 min\"\n"))
        XCTAssertEqual(negative.first?.message, "\"-5 min\" is too low for a rest step")
        XCTAssertEqual(negative.first?.expected, "a duration more than 0 s and at most 30 d")
        XCTAssertEqual(recipeErrors(step("kind = \"boil\"\nvessel = \"kettle\"\nduration = \"0 min\"\n")).first?.key, "steps[0].duration")
        // Negative volumes and masses.
        let volume = recipeErrors(step("kind = \"confirm\"\nmessage = \"m\"\nactions = [{ action = \"fill\", vessel = \"hlt\", volume = \"-3 L\" }]\n"))
        XCTAssertEqual(volume.first?.key, "steps[0].actions[0].volume")
        XCTAssertEqual(volume.first?.message, "\"-3 L\" is too low for a fill")
        XCTAssertEqual(recipeErrors("name = \"T\"\nbatch_volume = \"-20 L\"\n[[steps]]\nname = \"o\"\nkind = \"off\"\nvessel = \"hlt\"\n").first?.key,
                       "batch_volume")
        // Percent above 100.
        let power = recipeErrors(step("kind = \"boil\"\nvessel = \"kettle\"\nduration = \"60 min\"\npower = \"120 %\"\n"))
        XCTAssertEqual(power.first?.key, "steps[0].power")
        XCTAssertEqual(power.first?.message, "\"120 %\" is too high for the boil")
        XCTAssertEqual(power.first?.expected, "a percentage from 1 % to 100 %")
    }

    func testAdditionLaterThanTheBoil() {
        let text = step("""
        kind = "boil"
        vessel = "kettle"
        duration = "60 min"
        additions = [
            { what = "Hallertauer Mittelfrüh", amount = "40 g", at = "75 min" },
            { what = "Citra", amount = "40 g", at = "-5 min" },
            { what = "Irish moss", at = "flamout" },
            { what = "Magnum", at = 60 },
        ]

        """)
        let errors = recipeErrors(text)
        XCTAssertEqual(errors.map(\.key), ["steps[0].additions[0].at", "steps[0].additions[1].at", "steps[0].additions[2].at",
                                           "steps[0].additions[3].at"])
        let late = errors[0]
        XCTAssertEqual(late.message, "\"75 min\" is longer than the boil (60 min): `at` is the time left until the end of the boil")
        // Columns count characters, so the ü before the value does not shift it.
        let at = position(of: "\"75 min\"", in: text)
        XCTAssertEqual([late.line, late.column], [at.line, at.column])
        XCTAssertEqual([late.line, late.column], [8, 62])
        XCTAssertEqual(errors[1].message, "\"-5 min\" is negative: `at` is the time left until the end of the boil")
        XCTAssertEqual(errors[2].suggestion, "did you mean \"flameout\"?")
        XCTAssertEqual(errors[3].message, "60 has no unit")
        XCTAssertEqual(errors.map(\.line), [8, 9, 10, 11])
    }

    func testAdditionTimingWords() throws {
        let text = step("""
        kind = "boil"
        vessel = "kettle"
        duration = "90 min"
        additions = [
            { what = "A", at = "First Wort" },
            { what = "B", at = "FWH" },
            { what = "C", at = "90 min" },
            { what = "D", at = "0 min" },
            { what = "E", at = "flame out" },
            { what = "F", at = "1 h 15 min" },
        ]

        """)
        let recipe = try RecipeLoader.parse(text, file: "t.toml")
        guard case .boil(_, _, let additions, _) = recipe.steps[0].kind else { return XCTFail("not a boil") }
        XCTAssertEqual(additions.map(\.timing), [.firstWort, .firstWort, .remaining(.minutes(90)), .remaining(.zero), .flameout,
                                                 .remaining(.minutes(75))])
        XCTAssertEqual(additions.map(\.timeLeft), [nil, nil, .minutes(90), .zero, .zero, .minutes(75)])
        XCTAssertNil(additions[0].amount)
    }

    func testAdditionsAsArrayOfTables() throws {
        let text = """
        name = "T"

        [[steps]]
        name = "Boil"
        kind = "boil"
        vessel = "kettle"
        duration = "60 min"

        [[steps.additions]]
        what = "Magnum"
        at = "60 min"

        [[steps.additions]]
        what = "Citra"
        at = "70 min"
        """
        let errors = recipeErrors(text)
        XCTAssertEqual(errors.map(\.key), ["steps[0].additions[1].at"])
        XCTAssertEqual(errors.first.map { [$0.line, $0.column] }, [15, 6])
        let fixed = try RecipeLoader.parse(text.replacingOccurrences(of: "70 min", with: "5 min"), file: "t.toml")
        XCTAssertEqual(fixed.steps[0].kind, .boil(.kettle, duration: .minutes(60), additions: [
            Addition("Magnum", at: .remaining(.minutes(60))), Addition("Citra", at: .remaining(.minutes(5))),
        ], power: nil))
    }

    func testEnumeratedWordsWithDidYouMean() {
        let kind = recipeErrors(step("kind = \"rset\"\nvessel = \"mash_tun\"\n"))
        XCTAssertEqual(kind.count, 1)
        XCTAssertEqual(kind.first?.key, "steps[0].kind")
        XCTAssertEqual(kind.first?.message, "unknown step kind \"rset\"")
        XCTAssertEqual(kind.first?.expected, "one of `heat`, `rest`, `ramp`, `hold`, `off`, `boil`, `chill`, `confirm`, `whirlpool`, `transfer`, `sparge`, `ferment` or `distill`")
        XCTAssertEqual(kind.first?.suggestion, "did you mean `rest`?")
        XCTAssertEqual(kind.first.map { [$0.line, $0.column] }, [4, 8])

        let vessel = recipeErrors(step("kind = \"off\"\nvessel = \"kettel\"\n"))
        XCTAssertEqual(vessel.first?.message, "unknown vessel \"kettel\"")
        XCTAssertEqual(vessel.first?.suggestion, "did you mean `kettle`?")

        let action = recipeErrors(step("kind = \"confirm\"\nmessage = \"m\"\nactions = [{ action = \"fil\", vessel = \"hlt\", volume = \"1 L\" }]\n"))
        XCTAssertEqual(action.map(\.key), ["steps[0].actions[0].action"])
        XCTAssertEqual(action.first?.suggestion, "did you mean `fill`?")
        XCTAssertEqual(action.first.map { [$0.line, $0.column] }, [6, 23])
    }

    func testActionKeysDependOnTheAction() {
        let text = step("kind = \"confirm\"\nmessage = \"m\"\nactions = [\n  { action = \"fill\", vessel = \"hlt\", mass = \"3 kg\" },\n  { action = \"transfer\", from = \"hlt\", to = \"hlt\", volume = \"5 L\" },\n]\n")
        let errors = recipeErrors(text)
        XCTAssertEqual(errors.map(\.key), ["steps[0].actions[0].volume", "steps[0].actions[0].mass", "steps[0].actions[1].to"])
        // A missing key inside an inline table points at its `{`.
        XCTAssertEqual(errors[0].message, "missing required key `volume` in a fill action")
        XCTAssertEqual([errors[0].line, errors[0].column], [7, 3])
        XCTAssertEqual(errors[1].message, "`mass` does not apply to a fill action")
        XCTAssertEqual([errors[1].line, errors[1].column], [7, 38])
        XCTAssertEqual(errors[2].message, "a transfer from the hlt to itself")
    }

    func testWrongTypesAndShapes() {
        let name = recipeErrors("name = 5\n[[steps]]\nname = \"o\"\nkind = \"off\"\nvessel = \"hlt\"\n")
        XCTAssertEqual(name.first?.key, "name")
        XCTAssertEqual(name.first?.message, "found an integer")
        XCTAssertEqual(name.first.map { [$0.line, $0.column] }, [1, 8])
        let table = recipeErrors("name = \"T\"\n[steps]\nname = \"o\"\n")
        XCTAssertEqual(table.first?.key, "steps")
        XCTAssertEqual(table.first?.message, "found a table")
        XCTAssertEqual(table.first.map { [$0.line, $0.column] }, [2, 1])
        let empty = recipeErrors("name = \"T\"\nsteps = []\n")
        XCTAssertEqual(empty.first?.message, "the recipe has no steps")
        let notTables = recipeErrors("name = \"T\"\nsteps = [1, \"two\"]\n")
        XCTAssertEqual(notTables.map(\.key), ["steps[0]", "steps[1]"])
        XCTAssertEqual(notTables.map(\.column), [10, 13])
        let blank = recipeErrors("name = \"  \"\n[[steps]]\nname = \"o\"\nkind = \"off\"\nvessel = \"hlt\"\n")
        XCTAssertEqual(blank.first?.message, "is empty")
        let date = recipeErrors("name = 1979-05-27\n[[steps]]\nname = \"o\"\nkind = \"off\"\nvessel = \"hlt\"\n")
        XCTAssertEqual(date.first?.message, "found a date")
    }

    func testNonFiniteAndHugeNumbers() {
        for literal in ["nan", "inf", "-inf", "\"1e400 C\"", "\"nan C\""] {
            let errors = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = \(literal)\n"))
            XCTAssertEqual(errors.count, 1, literal)
            XCTAssertEqual(errors.first?.key, "steps[0].temperature", literal)
            XCTAssertEqual(errors.first.map { [$0.line, $0.column] }, [6, 15], literal)
        }
        let huge = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = 9223372036854775807\n"))
        XCTAssertEqual(huge.first?.message, "9223372036854775807 is too high for a heat step")
        let hugeDuration = recipeErrors(step("kind = \"rest\"\nvessel = \"hlt\"\ntemperature = 60\nduration = \"99999999999999999999 h\"\n"))
        XCTAssertEqual(hugeDuration.first?.key, "steps[0].duration")
        // A number too big for TOML itself is a syntax error, not a crash.
        let overflow = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\ntemperature = 99999999999999999999\n"))
        XCTAssertEqual(overflow.first?.line, 6)
        XCTAssertEqual(overflow.first?.message.hasPrefix("TOML syntax"), true)
    }

    func testEveryProblemIsReportedTogetherInFileOrder() {
        let text = """
        name = "Broken"
        batch_volume = "50 kg"

        [[steps]]
        name = "Heat"
        kind = "heat"
        vessel = "hlt"
        temperature = "200 C"

        [[steps]]
        name = "Rest"
        kind = "rest"
        vessel = "mash tun"
        temprature = 66
        duration = 60

        [[steps]]
        kind = "boil"
        vessel = "kettle"
        duration = "60 min"
        additions = [{ what = "Magnum", at = "90 min" }]

        """
        let errors = recipeErrors(text, file: "Recipes/broken.toml")
        XCTAssertEqual(errors.map(\.key), [
            "batch_volume", "steps[0].temperature", "steps[1].temperature", "steps[1].temprature", "steps[1].duration",
            "steps[2].name", "steps[2].additions[0].at",
        ])
        XCTAssertEqual(errors.map(\.line), [2, 8, 10, 14, 15, 17, 21])
        XCTAssertTrue(errors.allSatisfy { $0.file == "Recipes/broken.toml" && !$0.isUnreadable })
        // The lines in the description are in the same order.
        let description = ConfigErrors(errors: errors).description
        XCTAssertEqual(description.split(separator: "\n").count, 7)
        XCTAssertTrue(description.hasPrefix("Recipes/broken.toml:2:16: error: batch_volume: \"50 kg\" is a mass (`kg`), not a volume"))
    }

    func testPositionsWithDottedQuotedKeysCRLFAndBOM() {
        // Dotted and quoted keys.
        let dotted = recipeErrors(step("kind = \"heat\"\nvessel = \"hlt\"\n\"temperature\" = 500\n"))
        XCTAssertEqual(dotted.first.map { [$0.line, $0.column] }, [6, 17])
        let nested = recipeErrors("name = \"T\"\nsteps = [{ name = \"S\", kind = \"heat\", vessel = \"hlt\", temperature = 500 }]\n")
        XCTAssertEqual(nested.first?.key, "steps[0].temperature")
        XCTAssertEqual(nested.first.map { [$0.line, $0.column] }, [2, 69])
        // Windows line endings and a byte-order mark.
        let crlf = "\u{FEFF}name = \"T\"\r\n[[steps]]\r\nname = \"S\"\r\nkind = \"heat\"\r\nvessel = \"hlt\"\r\ntemperature = 500\r\n"
        let errors = recipeErrors(crlf)
        XCTAssertEqual(errors.first.map { [$0.line, $0.column] }, [6, 15])
        // A multi-line list: each element on its own line.
        let multi = step("kind = \"confirm\"\nmessage = \"m\"\nactions = [\n    # water first\n    { action = \"fill\", vessel = \"hlt\", volume = \"1 L\" },\n\n    { action = \"fill\", vessel = \"hlt\", volume = \"2 kg\" },\n]\n")
        XCTAssertEqual(recipeErrors(multi).first.map { [$0.line, $0.column] }, [10, 49])
    }

    func testSyntaxErrorsArePlacedAndDoNotCrash() {
        let unterminated = recipeErrors("name = \"T\"\nstyle = \"IPA\n")
        XCTAssertEqual(unterminated.count, 1)
        XCTAssertEqual(unterminated.first?.line, 2)
        XCTAssertEqual(unterminated.first?.message.hasPrefix("TOML syntax: "), true)
        XCTAssertEqual(unterminated.first?.key, "")
        // toml++ 3.4 asserts on these; the loader must refuse them cleanly, at the right place.
        let header = recipeErrors("name = \"T\"\n\n[=]\n")
        XCTAssertEqual(header.first.map { [$0.line, $0.column] }, [3, 2])
        XCTAssertEqual(header.first?.message, "TOML syntax: a table header needs a name after `[`, found `=`")
        XCTAssertEqual(recipeErrors("[[[steps]]]\n").first.map { [$0.line, $0.column] }, [1, 3])
        XCTAssertEqual(recipeErrors("x = [}\n").first.map { [$0.line, $0.column] }, [1, 6])
        XCTAssertEqual(recipeErrors("x = [1,\n\u{2028}]\n").first?.line, 2)
        // An earlier syntax error still comes first.
        XCTAssertEqual(recipeErrors("a = = 1\n[#]\n").first?.line, 1)
        // NUL would cut the file short for toml++.
        let nul = recipeErrors("name = \"T\"\n\0\n")
        XCTAssertEqual(nul.first.map { [$0.line, $0.column] }, [2, 1])
        // Nesting far deeper than toml++'s limit of 256.
        let deep = recipeErrors("x = " + String(repeating: "[", count: 100_000) + "\n")
        XCTAssertEqual(deep.first?.line, 1)
        XCTAssertEqual(recipeErrors("x = " + String(repeating: "{ a = ", count: 50_000) + "\n").first?.line, 1)
        // A key TOMLKit would hand back cut short at its U+0000.
        let nulKey = recipeErrors("name = \"T\"\n\"na\\u0000me\" = 1\n")
        XCTAssertEqual(nulKey.first.map { [$0.line, $0.column] }, [2, 1])
        XCTAssertEqual(nulKey.first?.message, "a key may not contain the NUL character (\\u0000)")
        // An empty file: every required key is missing.
        XCTAssertEqual(recipeErrors("").map(\.key), ["name", "steps"])
        XCTAssertEqual(recipeErrors("").map(\.line), [1, 1])
    }

    func testUnreadableFiles() throws {
        do {
            _ = try RecipeLoader.load(path: "/nonexistent/brewctl/recipe.toml")
            XCTFail("loaded a missing file")
        } catch {
            XCTAssertEqual(error.errors.count, 1)
            XCTAssertEqual(error.errors.first?.isUnreadable, true)
            XCTAssertEqual(error.errors.first?.line, 0)
            XCTAssertEqual(error.description, "/nonexistent/brewctl/recipe.toml: error: no such file")
        }
        do {
            _ = try RecipeLoader.load(path: NSTemporaryDirectory())
            XCTFail("loaded a folder")
        } catch {
            XCTAssertEqual(error.errors.first?.isUnreadable, true)
            XCTAssertEqual(error.errors.first?.message, "this is a folder, not a file")
        }
        let path = NSTemporaryDirectory() + "brewconfig-latin1-\(getpid()).toml"
        try XCTUnwrap("name = \"T\"\nstyle = \"K\u{F6}lsch\"\n".data(using: .isoLatin1)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try RecipeLoader.load(path: path)
            XCTFail("loaded Latin-1")
        } catch {
            XCTAssertEqual(error.errors.first?.isUnreadable, true)
            XCTAssertEqual(error.errors.first?.message, "this is not UTF-8 text (save it as UTF-8)")
            XCTAssertEqual(error.errors.first.map { [$0.line, $0.column] }, [2, 11])
        }
        // Readable but invalid is not "unreadable".
        let invalid = recipeErrors("name = 1\n")
        XCTAssertFalse(invalid.contains { $0.isUnreadable })
    }
}
