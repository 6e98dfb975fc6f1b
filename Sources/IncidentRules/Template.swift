import IncidentCore

/// An incident title template: text with `{{name}}` placeholders filled from the incident's labels.
///
/// `{{ name }}`, `{{ .Labels.name }}` and `{{ $labels.name }}` are the same placeholder, so titles copied
/// from Alertmanager or Prometheus rules work. A missing value renders as `<name?>` so it is visible.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case text(String)
        case label(String)
    }

    let parts: [Part]
    public let source: String

    public struct ParseError: Error, Sendable {
        public var message: String
        public var offset: Int
    }

    public init(_ source: String) throws(ParseError) {
        self.source = source
        var parts: [Part] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ParseError(
                    message: "'{{' is never closed; write {{label}}",
                    offset: source.distance(from: source.startIndex, to: open.lowerBound))
            }
            var name = String(rest[open.upperBound..<close.lowerBound]).trimmed(of: " \t")
            for prefix in [".Labels.", "$labels.", ".Annotations.", "$annotations.", "."] where name.hasPrefix(prefix) {
                name = String(name.dropFirst(prefix.count))
                break
            }
            guard let first = name.unicodeScalars.first, MatcherScanner.isNameStart(first),
                name.unicodeScalars.allSatisfy(MatcherScanner.isNameChar)
            else {
                throw ParseError(
                    message: "'{{\(rest[open.upperBound..<close.lowerBound])}}' is not a label name; write {{label}}",
                    offset: source.distance(from: source.startIndex, to: open.lowerBound))
            }
            parts.append(.label(name))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The label names the template uses.
    public var names: [String] {
        parts.compactMap {
            if case .label(let name) = $0 { return name }
            return nil
        }
    }

    public func render(_ lookup: (String) -> String?) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .label(let name): out += lookup(name) ?? "<\(name)?>"
            }
        }
        return out
    }

    public var description: String { source }
}
