import BrewConfig
import BrewCore
import XCTest

/// The examples in docs/recipes.md and docs/hardware.md load, and the worked example in
/// hardware.md is exactly Hardware/sim.toml — so the documentation cannot drift from the loader
/// or from the shipped rig.
final class DocsTests: XCTestCase {
    /// The ```toml blocks of a Markdown file (after `heading`, if given).
    func tomlBlocks(_ markdown: String, after heading: String? = nil) -> [String] {
        var text = Substring(markdown)
        if let heading, let r = markdown.range(of: heading) { text = markdown[r.upperBound...] }
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```toml") {
                current = []
            } else if let lines = current, line.hasPrefix("```") {
                blocks.append(lines.joined(separator: "\n") + "\n")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    func testRecipeExamplesLoad() throws {
        let blocks = tomlBlocks(try Repo.text("docs/recipes.md"))
        XCTAssertGreaterThanOrEqual(blocks.count, 4)
        let complete = try RecipeLoader.parse(blocks[0], file: "docs/recipes.md")
        XCTAssertEqual(complete.name, "Pale ale, 20 L")
        XCTAssertEqual(complete.steps.count, 10)
        var fragments = 0
        for block in blocks.dropFirst() where block.hasPrefix("[[steps]]") {
            XCTAssertNoThrow(try RecipeLoader.parse("name = \"fragment\"\n" + block, file: "docs/recipes.md"), block)
            fragments += 1
        }
        XCTAssertGreaterThanOrEqual(fragments, 2)
    }

    func testHardwareWorkedExampleIsSimToml() throws {
        let blocks = tomlBlocks(try Repo.text("docs/hardware.md"), after: "## Worked example")
        XCTAssertGreaterThanOrEqual(blocks.count, 6)
        let documented = try HardwareLoader.parse(blocks.joined(), file: "sim")
        let shipped = try HardwareLoader.parse(try Repo.text("Hardware/sim.toml"), file: "sim")
        XCTAssertEqual(documented, shipped, "docs/hardware.md's worked example no longer matches Hardware/sim.toml")
    }
}
