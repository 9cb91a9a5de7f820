import Foundation
import TOMLKit

/// brewctl's own settings file (`config.toml`): which rig this machine drives. Looked for in
/// `$BREWCTL_CONFIG`, `$XDG_CONFIG_HOME/brewctl/config.toml` (default `~/.config/…`) and
/// `/etc/brewctl/config.toml`, in that order.
public struct ToolConfig: Hashable, Sendable {
    /// The hardware file, relative paths taken from the config file's folder.
    public var hardware: String?
    /// Where the config came from.
    public var source: String

    public static func candidatePaths(environment env: [String: String]) -> [String] {
        var paths: [String] = []
        if let explicit = env["BREWCTL_CONFIG"], !explicit.isEmpty { paths.append(explicit) }
        let configHome = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? env["HOME"].map { $0 + "/.config" }
        if let configHome { paths.append(configHome + "/brewctl/config.toml") }
        paths.append("/etc/brewctl/config.toml")
        return paths
    }

    /// The first config file that exists, or nil when there is none (which is fine).
    public static func find(environment env: [String: String]) throws(ConfigErrors) -> ToolConfig? {
        for path in candidatePaths(environment: env) where FileManager.default.fileExists(atPath: path) {
            return try load(path: path)
        }
        return nil
    }

    public static func load(path: String) throws(ConfigErrors) -> ToolConfig {
        let text = try ConfigDocument.read(path: path)
        return try parse(text, file: path)
    }

    /// Validates config text; relative `hardware` paths are taken from `file`'s folder.
    public static func parse(_ text: String, file: String) throws(ConfigErrors) -> ToolConfig {
        let document = try ConfigDocument.parse(text, file: file)
        let diagnostics = Diagnostics(file: file, locator: document.locator)
        let root = TableReader(path: .root, table: document.root, diagnostics: diagnostics, what: "brewctl's config file")
        var hardware = root.string("hardware", expected: "the path of the rig's hardware file, in quotes", longest: InputLimits.textLength)
        if let value = hardware, !value.hasPrefix("/") {
            let folder = (file as NSString).deletingLastPathComponent
            hardware = folder.isEmpty ? value : folder + "/" + value
        }
        root.checkKeys(known: ["hardware"])
        if !diagnostics.errors.isEmpty { throw ConfigErrors(errors: diagnostics.sortedErrors) }
        return ToolConfig(hardware: hardware, source: file)
    }
}
