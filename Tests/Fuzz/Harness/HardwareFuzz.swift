import BrewConfig
import BrewCore
import Foundation

/// libFuzzer target for the hardware loader and `brewctl off`'s salvage of a broken hardware file
/// (scripts/fuzz): any bytes give a rig or ConfigErrors, and a salvage, never a crash, a hang or
/// runaway memory. A salvage never offers an output the full loader would read differently.
func fuzzHardware(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    let text = String(decoding: bytes, as: UTF8.self)
    var loaded: RigSpec?
    do throws(ConfigErrors) { loaded = try HardwareLoader.parse(text, file: "fuzz.toml") } catch {
        for e in error.errors where e.line < 0 || e.column < 0 { fatalError("error outside the file: \(e)") }
    }
    let salvage = OutputSalvage.salvage(bytes, file: "fuzz.toml")
    if let loaded, String(data: bytes, encoding: .utf8) != nil {
        // A file that loads salvages to exactly its outputs.
        if salvage.outputs != loaded.outputs { fatalError("salvage \(salvage.outputs) differs from the loaded rig \(loaded.outputs)") }
    }
    return 0
}
