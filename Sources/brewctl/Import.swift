import ArgumentParser
import BrewImport
import Foundation

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn a BeerXML or BeerJSON recipe into a brewctl recipe.",
        discussion: """
        A file with several recipes needs --recipe NAME|INDEX, or -o DIR/ to write one file per \
        recipe (named from the recipe: pliny-the-elder-clone.toml). Warnings go to standard error. \
        Exit status: 0 when imported (even with warnings), 2 when the file cannot be read or is \
        not a recipe export. See docs/import.md.
        """)

    @Argument(help: "The BeerXML (.xml) or BeerJSON (.json) file.")
    var file: String

    @Option(name: .shortAndLong, help: "Write the recipe here: a file, or a directory (DIR/ or an existing one) for one file per recipe. Default: standard output.")
    var output: String?

    @Option(name: .long, help: "Pick one recipe by name or by number (1 = the first).")
    var recipe: String?

    @Flag(name: .long, help: "Only list the recipes in the file.")
    var list = false

    func run() throws {
        let result: ImportResult
        do {
            result = try RecipeImporter.importFile(path: file)
        } catch {
            fail("error: \(error.message)")
        }
        if list {
            for (i, r) in result.recipes.enumerated() { print("\(i + 1)\t\(r.name)") }
            return
        }
        var chosen = result.recipes
        if let recipe {
            do {
                chosen = [try RecipeImporter.select(result.recipes, recipe)]
            } catch {
                fail("error: \(error.message)")
            }
        }
        for w in result.fileWarnings { warn(w.description) }
        let toDirectory = output.map { out -> Bool in
            var isDir: ObjCBool = false
            return out.hasSuffix("/") || (FileManager.default.fileExists(atPath: out, isDirectory: &isDir) && isDir.boolValue)
        } ?? false
        if chosen.count > 1 && !toDirectory {
            fail("error: \(file) holds \(chosen.count) recipes: \(RecipeImporter.list(chosen)); pick one with --recipe NAME|INDEX, or write them all with -o DIR/")
        }
        for r in chosen { for w in r.warnings { warn(w.description) } }
        if toDirectory, let dir = output {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                fail("error: \(dir): cannot create the directory: \(error.localizedDescription)")
            }
            for r in chosen {
                let path = (dir as NSString).appendingPathComponent("\(r.slug).toml")
                write(r.toml, to: path)
                warn("wrote \(path)")
            }
        } else if let out = output {
            write(chosen[0].toml, to: out)
        } else {
            StandardStream.output.write(chosen[0].toml, wait: .asLongAsItTakes)   // data: written as it is
        }
    }

    private func write(_ text: String, to path: String) {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            fail("error: \(path): cannot write: \(error.localizedDescription)")
        }
    }

    private func warn(_ line: String) {
        writeStandardError(line + "\n")
    }

    private func fail(_ line: String) -> Never {
        warn(line)
        Foundation.exit(2)
    }
}
