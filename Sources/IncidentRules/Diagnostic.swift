/// A problem found in a rule, test or config file, with where it is and how to fix it.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    /// A stable, greppable code (`unknown-key`, `bad-duration`, ...).
    public var code: String
    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(
        _ severity: Severity, _ code: String, file: String, line: Int, column: Int, _ message: String
    ) {
        self.severity = severity
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE:COL: error: message [code]`, one line, the way compilers print.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): \(message) [\(code)]"
    }
}

/// Where in a file something is: the anchor of a diagnostic.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Collects diagnostics while a file is read; reading goes on after an error so that one run reports
/// every mistake, not just the first.
package final class DiagnosticSink {
    package private(set) var diagnostics: [Diagnostic] = []

    package init() {}

    package func error(_ code: String, at location: SourceLocation, _ message: String) {
        diagnostics.append(
            Diagnostic(.error, code, file: location.file, line: location.line, column: location.column, message))
    }

    package func warning(_ code: String, at location: SourceLocation, _ message: String) {
        diagnostics.append(
            Diagnostic(.warning, code, file: location.file, line: location.line, column: location.column, message))
    }

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    package var errorCount: Int { diagnostics.count { $0.severity == .error } }
}

/// The nearest candidate by edit distance, when it is close enough to be a plausible typo.
package func nearest(_ word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate)
        if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    guard let (candidate, distance) = best else { return nil }
    let limit = max(2, candidate.count / 3)
    return distance <= limit ? candidate : nil
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8)
    let b = Array(b.utf8)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// " Did you mean 'x'?" or nothing.
func suggestion(_ word: String, in candidates: [String]) -> String {
    guard let hit = nearest(word, in: candidates) else {
        return " Valid keys: \(candidates.joined(separator: ", "))."
    }
    return " Did you mean '\(hit)'?"
}
