import Foundation
import IncidentRules
import TestSupport
import Testing

/// Rule files an attacker or an accident could produce: each gives a diagnostic, quickly, and nothing hangs or
/// crashes. The config file gets the same texts in IncidentConfigTests.
@Suite("hostile rule files")
struct HostileFileTests {
    /// In a scratch directory removed when the test process exits.
    static func write(_ text: String, name: String) throws -> String {
        try ScratchDirectory.file("hostile", name: name, text: text)
    }

    @Test(arguments: HostileYAML.cases)
    func aRuleFileGetsDiagnostics(_ name: String, _ text: String, _ code: String) throws {
        let path = try Self.write(text, name: "rules.yaml")
        let result = RuleSetLoader().load(paths: [path])
        #expect(result.ruleSet == nil, "\(name)")
        #expect(!result.errors.isEmpty, "\(name)")
        if !code.isEmpty { #expect(result.errors.contains { $0.code == code }, "\(name): \(result.errors)") }
        #expect(result.errors.allSatisfy { $0.file == path && $0.line >= 1 && $0.column >= 1 })
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
