import BrewConfig
import BrewCore
import Foundation

/// libFuzzer target for the recipe loader (scripts/fuzz): any bytes give a recipe or ConfigErrors,
/// never a crash, a hang or runaway memory. A recipe that loads is also checked against the
/// simulated club brewery, so the plan check sees what the loader lets through.
private let rig: RigSpec? = {
    let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try? HardwareLoader.load(path: root.appendingPathComponent("Hardware/sim.toml").path)
}()

func fuzzRecipe(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    do throws(ConfigErrors) {
        let recipe = try RecipeLoader.parse(text, file: "fuzz.toml")
        if let rig { _ = BrewPlan.check(recipe, on: rig) }
    } catch {
        // Every error must point into the file or be about the file as a whole.
        for e in error.errors where e.line < 0 || e.column < 0 { fatalError("error outside the file: \(e)") }
    }
    do throws(ConfigErrors) { _ = try ToolConfig.parse(text, file: "config.toml") } catch {}
    return 0
}
