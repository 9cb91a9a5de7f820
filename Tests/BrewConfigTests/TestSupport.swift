import BrewConfig
import BrewCore
import Foundation
import XCTest

/// The repository root: the nearest folder above this file holding both Recipes/ and Hardware/.
/// The test file may be reached through a symlink, so the real path is searched first.
enum Repo {
    static let root: String = {
        let here = #filePath
        for start in [(here as NSString).resolvingSymlinksInPath, here] {
            var dir = (start as NSString).deletingLastPathComponent
            while dir.count > 1 {
                let fm = FileManager.default
                if fm.fileExists(atPath: dir + "/Recipes"), fm.fileExists(atPath: dir + "/Hardware") { return dir }
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
        return FileManager.default.currentDirectoryPath
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// Parses text expected to be invalid and returns its errors (failing the test if it loads).
func recipeErrors(_ text: String, file: String = "test.toml", line: UInt = #line) -> [ConfigError] {
    do {
        let recipe = try RecipeLoader.parse(text, file: file)
        XCTFail("expected errors, got a recipe with \(recipe.steps.count) steps", line: line)
        return []
    } catch {
        return error.errors
    }
}

func hardwareErrors(_ text: String, file: String = "rig.toml", line: UInt = #line) -> [ConfigError] {
    do {
        let rig = try HardwareLoader.parse(text, file: file)
        XCTFail("expected errors, got a rig with \(rig.vessels.count) vessels", line: line)
        return []
    } catch {
        return error.errors
    }
}

/// 1-based line and column of the first occurrence of `needle` in `text` (after `after`, if given).
func position(of needle: String, in text: String, after: String? = nil, file: StaticString = #filePath, line: UInt = #line) -> (line: Int, column: Int) {
    var search = text.startIndex..<text.endIndex
    if let after, let a = text.range(of: after) { search = a.upperBound..<text.endIndex }
    guard let r = text.range(of: needle, range: search) else {
        XCTFail("\(needle) not in text", file: file, line: line)
        return (0, 0)
    }
    let before = text[text.startIndex..<r.lowerBound]
    let lineNumber = before.filter { $0 == "\n" }.count + 1
    let lineStart = before.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
    return (lineNumber, text.unicodeScalars[lineStart..<r.lowerBound].count + 1)
}
