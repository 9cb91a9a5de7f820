import ArgumentParser
import BrewConfig
import BrewCore
import Foundation

/// `brewctl validate`: the checks `run` makes before it switches anything on, for any number of
/// recipes, without a batch.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check recipes, and that they fit the rig, without switching anything.",
        discussion: """
        Reports every problem in every file as file:line:column: error: … with what was expected and, where \
        possible, what you probably meant. Checks syntax, types, ranges, references, and that each recipe fits \
        the rig: the vessels, heaters, pumps, meters and sensors its steps need, room for what goes in, targets \
        within each vessel's max_temperature, the boiling point and above the coolant, and enough liquid to cover \
        each element and feed each pump. Warnings (file:line:column: warning: …) say what may still work but \
        probably will not; they do not make a recipe invalid.
        Exit status: 0 when everything is valid; 1 when anything is invalid; 2 when a file could not be read.
        """
    )

    @Argument(help: "Recipe files, e.g. Recipes/*.toml.")
    var recipes: [String]

    @Option(help: "The rig's hardware file (default: the configured rig, else Hardware/sim.toml).")
    var hardware: String?

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let choice: HardwareChoice
        do { choice = try HardwareChoice.resolve(explicit: hardware, environment: env) } catch { fail("\(error)", code: 2) }
        print(choice.banner)

        var unreadable = false
        var invalid = false
        func report(_ errors: ConfigErrors) {
            for e in errors.errors { printDiagnostic(e.description) }
            if errors.errors.contains(where: \.isUnreadable) { unreadable = true } else { invalid = true }
        }

        var rig: RigSpec?
        do { rig = try HardwareLoader.load(path: choice.path) } catch { report(error) }

        for path in recipes {
            let located: RecipeLoader.Located
            do { located = try RecipeLoader.loadLocated(path: path) } catch {
                report(error)
                continue
            }
            guard let rig else { continue }
            let review = BrewPlan.review(located.recipe, on: rig)
            let problems = review.errors
            for w in review.warnings { printDiagnostic(located.warning(step: w.step, w.message).description) }
            if problems.isEmpty {
                let warned = review.warnings.isEmpty ? "" : " (\(review.warnings.count) warning\(review.warnings.count == 1 ? "" : "s") above)"
                print("\(path): ok — \(located.recipe.name), \(located.recipe.steps.count) steps, fits \(rig.name)\(warned)")
            } else {
                report(ConfigErrors(errors: problems.map { located.error(step: $0.step, $0.message) }))
            }
        }
        if unreadable { throw ExitCode(2) }
        if invalid { throw ExitCode(1) }
    }
}
