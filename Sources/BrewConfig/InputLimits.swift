/// The most a recipe, hardware or config file may hold, in one place. Each limit is far beyond
/// what a real file needs (the shipped files are under 10 KiB, nest 4 deep and have at most a few
/// dozen keys per table) and far below what would make the loaders slow or crash them: files are
/// checked against these before TOMLKit sees them (`InputScan`), so no input reaches its
/// recursive document conversion deep or wide enough to overflow the stack or fill memory.
/// docs/recipes.md and docs/hardware.md list them for brewers.
public enum InputLimits {
    /// Bytes in one file.
    public static let fileBytes = 1 << 20
    /// Levels a value may sit in: each key of a dotted key or table header, each `{ }` and `[ ]`,
    /// each `[[table]]` element. `[vessels.kettle.heater]` then `pid.kp = 50` is 5.
    public static let depth = 32
    /// Keys in one table (`[outputs]` with 1000 outputs, a step with 1000 keys).
    public static let keysPerTable = 1_000
    /// Elements in one list or `[[array of tables]]`.
    public static let listLength = 1_000
    /// Keys and list elements in the whole file together.
    public static let values = 20_000
    /// Characters in one key (a name, an id).
    public static let keyLength = 200
    /// Characters in one text value: messages, notes, an interlock's reason.
    public static let textLength = 10_000
    /// Characters in a name or id the loaders read (recipe, step, vessel, output names; devices).
    public static let nameLength = 200
    /// Steps in one recipe.
    public static let steps = 500

    /// "1 MiB" for messages.
    static var fileSizeText: String { "\(fileBytes >> 20) MiB" }
}
