import ArgumentParser
import BrewImport

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Turn a BeerXML or BeerJSON recipe into a brewctl recipe.")

    @Argument(help: "The BeerXML (.xml) or BeerJSON (.json) file.")
    var file: String

    @Option(name: .shortAndLong, help: "Write the recipe here (default: standard output).")
    var output: String?

    func run() throws {
        throw ValidationError("import is not finished yet")
    }
}
