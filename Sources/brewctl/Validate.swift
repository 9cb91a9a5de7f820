import ArgumentParser

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check recipes (and the rig they are for) without switching anything.")
    @Argument(help: "Recipe files.") var recipes: [String]
    @Option(help: "The rig's hardware file.") var hardware: String?
    func run() throws { throw ValidationError("validate is not finished yet") }
}
