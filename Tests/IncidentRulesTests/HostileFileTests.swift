import Foundation
import IncidentConfig
import IncidentRules
import TestSupport
import Testing

/// Rule and config files an attacker or an accident could produce: each gives a diagnostic, quickly, and
/// nothing hangs or crashes.
@Suite("hostile rule and config files")
struct HostileFileTests {
    static func write(_ text: String, name: String) throws -> String {
        // Removed when the test process exits.
        let dir = try ScratchDirectory.make("hostile")
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A "billion laughs" alias bomb: nine levels of nine aliases each.
    static let bomb: String = {
        var text = "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...8 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ",")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        return text + "rules: *a8\n"
    }()

    static let cases: [(String, String, String)] = [
        ("alias bomb", bomb, ""),
        (
            "deep nesting",
            "rules: " + String(repeating: "[", count: 20000) + String(repeating: "]", count: 20000) + "\n",
            "yaml-syntax"
        ),
        ("truncated", "rules:\n  - name: x\n    match: ['alertname=\"A\"'\n    kind: out", "yaml-syntax"),
        (
            "binary garbage", String(decoding: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }, as: UTF8.self),
            ""
        ),
        ("a scalar at the top", "just some text\n", "wrong-type"),
        ("tabs for indentation", "rules:\n\t- name: x\n", "yaml-syntax"),
    ]

    @Test(arguments: cases)
    func aRuleFileGetsDiagnostics(_ name: String, _ text: String, _ code: String) throws {
        let path = try Self.write(text, name: "rules.yaml")
        let result = RuleSetLoader().load(paths: [path])
        #expect(result.ruleSet == nil, "\(name)")
        #expect(!result.errors.isEmpty, "\(name)")
        if !code.isEmpty { #expect(result.errors.contains { $0.code == code }, "\(name): \(result.errors)") }
        #expect(result.errors.allSatisfy { $0.file == path && $0.line >= 1 && $0.column >= 1 })
    }

    @Test(arguments: cases)
    func aConfigFileGetsDiagnostics(_ name: String, _ text: String, _ code: String) throws {
        let path = try Self.write(text, name: "incidentd.yaml")
        let result = Configuration.load(path: path)
        #expect(result.configuration == nil, "\(name)")
        #expect(result.diagnostics.contains { $0.severity == .error }, "\(name)")
    }

    @Test func aFileOverTheSizeLimitIsRefusedUnread() throws {
        var loader = RuleSetLoader()
        loader.maxFileBytes = 64 * 1024
        let text = "rules:\n" + (0..<5000).map { "  - { name: r\($0), match: ['alertname=\"A\($0)\"'] }\n" }.joined()
        let path = try Self.write(text, name: "big.yaml")
        let result = loader.load(paths: [path])
        #expect(result.errors.map(\.code) == ["too-large"])
    }

    @Test func aLargeButValidFileCompiles() throws {
        let text = "rules:\n" + (0..<20000).map { "  - { name: r\($0), match: ['alertname=\"A\($0)\"'] }\n" }.joined()
        let path = try Self.write(text, name: "many.yaml")
        let result = RuleSetLoader().load(paths: [path])
        #expect(result.errors.isEmpty)
        #expect(result.ruleSet?.rules.count == 20000)
    }
}
