import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a parsed XML document. Names are upper-cased so `<Mash_Step>`, `<mash_step>`
/// and `<MASH_STEP>` are the same element.
final class XNode {
    let name: String
    var text = ""
    var children: [XNode] = []

    init(name: String) { self.name = name }

    func child(_ name: String) -> XNode? { children.first { $0.name == name } }
    func children(_ name: String) -> [XNode] { children.filter { $0.name == name } }

    /// The trimmed text of the first child `name`, nil when missing or empty.
    func value(_ name: String) -> String? {
        guard let c = child(name) else { return nil }
        let t = c.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    /// Every element `name` below this one (not below a match), in document order.
    func descendants(_ name: String) -> [XNode] {
        var out: [XNode] = []
        var stack: [XNode] = children.reversed()
        while let n = stack.popLast() {
            if n.name == name {
                out.append(n)
            } else {
                stack.append(contentsOf: n.children.reversed())
            }
        }
        return out
    }
}

/// Builds an `XNode` tree with Foundation's XMLParser (libxml2 on Linux).
final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    private var stack: [XNode] = []
    private(set) var root: XNode?
    private let maxDepth = 64
    private var tooDeep = false
    private var rootClosed = false

    struct Failure: Error {
        var message: String
        var line: Int
        var column: Int
    }

    static func parse(_ data: Data) -> Result<XNode, Failure> {
        let parser = XMLParser(data: data)
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if builder.tooDeep {
            return .failure(Failure(message: "elements nested more than \(builder.maxDepth) deep", line: parser.lineNumber, column: parser.columnNumber))
        }
        if ok, builder.root != nil, !builder.rootClosed {
            return .failure(Failure(message: "the file ends before <\(builder.root!.name)> is closed (truncated?)", line: parser.lineNumber, column: parser.columnNumber))
        }
        guard ok, let root = builder.root else {
            var message = parser.parserError.map { describe($0) } ?? "not well-formed XML"
            if ok { message = "no XML element found" }
            return .failure(Failure(message: message, line: parser.lineNumber, column: parser.columnNumber))
        }
        return .success(root)
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let reason = ns.userInfo[NSLocalizedDescriptionKey] as? String, !reason.isEmpty, !reason.hasPrefix("The operation") {
            return reason
        }
        return "not well-formed XML (XMLParser error \(ns.code))"
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if stack.count >= maxDepth {
            tooDeep = true
            parser.abortParsing()
            return
        }
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        let node = XNode(name: local.uppercased())
        if let parent = stack.last {
            parent.children.append(node)
        } else if root == nil {
            root = node
        }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        _ = stack.popLast()
        if stack.isEmpty { rootClosed = true }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }
}
