/// A line made of parts that can each be written shorter. Fitting it to a width gives up, one
/// step at a time, whatever matters least (the lowest `keep`) until the line fits, so at any width
/// what is left on screen is what a brewer most needs.
struct FittedLine {
    /// One way of writing a part. Giving it up costs `keep`: the text is first cut short with "…"
    /// down to `cutTo` columns, then the next form is tried (the same text with a smaller `cutTo`
    /// and a higher `keep` cuts it further, later).
    struct Form {
        var text: String
        var keep: Int
        var cutTo: Int?

        init(_ text: String, keep: Int, cutTo: Int? = nil) {
            self.text = text
            self.keep = keep
            self.cutTo = cutTo
        }
    }

    /// The forms longest first. The last one is never given up, though it may be cut.
    struct Part {
        var forms: [Form]
        /// Kept after the text whatever it is cut to (": " after a step name); dropped with it.
        var suffix = ""

        init(_ forms: [Form], suffix: String = "") {
            self.forms = forms
            self.suffix = suffix
        }

        /// A part that is always there as it is (the HEATERS HELD OFF marker).
        static func fixed(_ text: String) -> Part { Part([Form(text, keep: .max)]) }
    }

    var parts: [Part]

    init(_ parts: [Part]) { self.parts = parts }

    /// Every part at its longest, for a log file or a pipe, which have no width.
    var full: String { parts.map { text(of: $0, form: 0, cut: nil) }.joined() }

    /// The line in at most `columns`, or nil when it does not fit even with every part at its
    /// shortest.
    func fitted(to columns: Int) -> String? {
        var form = [Int](repeating: 0, count: parts.count)
        var cut = [Int?](repeating: nil, count: parts.count)
        var widths = parts.map { DisplayWidth.columns(text(of: $0, form: 0, cut: nil)) }
        while true {
            let excess = widths.reduce(0, +) - columns
            if excess <= 0 {
                return parts.indices.map { text(of: parts[$0], form: form[$0], cut: cut[$0]) }.joined()
            }
            // The part whose current form matters least and can still give something up.
            var chosen: Int?
            for i in parts.indices where canShrink(i, form: form[i], width: widths[i]) {
                if chosen.map({ parts[i].forms[form[i]].keep < parts[$0].forms[form[$0]].keep }) ?? true { chosen = i }
            }
            guard let i = chosen else { return nil }
            let f = parts[i].forms[form[i]]
            let core = widths[i] - DisplayWidth.columns(parts[i].suffix)
            if let limit = f.cutTo, core > limit {
                cut[i] = max(limit, core - excess)
            } else {
                form[i] += 1
                // The same text again with a further cut to go continues from where it is.
                if parts[i].forms[form[i]].text != f.text { cut[i] = nil }
            }
            widths[i] = DisplayWidth.columns(text(of: parts[i], form: form[i], cut: cut[i]))
        }
    }

    private func canShrink(_ i: Int, form: Int, width: Int) -> Bool {
        let part = parts[i]
        if form < part.forms.count - 1 { return true }
        guard let limit = part.forms[form].cutTo else { return false }
        return width - DisplayWidth.columns(part.suffix) > limit
    }

    private func text(of part: Part, form: Int, cut: Int?) -> String {
        let text = part.forms[form].text
        if text.isEmpty { return "" }
        return (cut.map { DisplayWidth.truncated(text, to: $0) } ?? text) + part.suffix
    }
}
