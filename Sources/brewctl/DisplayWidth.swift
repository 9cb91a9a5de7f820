/// How many columns text takes on a terminal, as terminals count them (wcwidth): CJK and emoji
/// such as 🔔 take two, combining marks and joiners none, everything else one. The live status
/// block is laid out with it, because a line one column too wide wraps and the in-place redraw
/// then leaves a copy behind every time.
///
/// Ambiguous-width symbols (▮ ⚠ · ° │) count one, as they do outside East Asian locales.
/// Control characters count nothing: they are escaped (`Format.printable`) before anything is
/// measured.
enum DisplayWidth {
    static func columns(_ text: String) -> Int {
        var total = 0
        for c in text { total += columns(c) }
        return total
    }

    static func columns(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        let v = first.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        if v < 0x300 { return 1 }   // Latin text: the common case, without a property lookup
        // An emoji shown as a picture (🔔, 🍺, a flag), or a symbol asked to be one (⚠ + U+FE0F).
        if scalars.contains(where: { $0.properties.isEmojiPresentation })
            || (first.properties.isEmoji && scalars.contains("\u{FE0F}")) {
            return 2
        }
        if wide.contains(where: { $0.contains(v) }) { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0   // a mark or joiner without a base
        default: return 1
        }
    }

    /// `text` cut to at most `columns`, ending in "…" when anything was cut.
    static func truncated(_ text: String, to columns: Int) -> String {
        guard self.columns(text) > columns else { return text }
        guard columns > 0 else { return "" }
        var out = ""
        var used = 0
        for c in text {
            let w = self.columns(c)
            if used + w > columns - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }

    /// East Asian Wide and Fullwidth blocks (Unicode's EastAsianWidth.txt, W and F), less the
    /// emoji, which `isEmojiPresentation` covers.
    private static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
        0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
        0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1B000...0x1B2FF,
        0x1F200...0x1F2FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
