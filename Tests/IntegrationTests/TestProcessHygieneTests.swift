import Foundation
import TestSupport
import Testing

/// The tests start children with `ChildProcess`, never with Foundation's `Process`: its `run()` can crash the
/// whole test process when many descriptors are open (see `ChildProcess`). One `Process()` in any test file
/// brings that back, rarely enough to pass locally and fail a CI run much later.
@Suite struct TestProcessHygieneTests {
    @Test func noTestStartsAChildWithFoundationsProcess() throws {
        let tests = CLI.repositoryRoot.appendingPathComponent("Tests")
        let files = try #require(FileManager.default.enumerator(atPath: tests.path))
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50, "the test sources were not found under \(tests.path)")
        // `Process()` as a word (not `ChildProcess()`), outside comments.
        let forbidden = try Regex("(^|[^A-Za-z_])Process\\(\\)")
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") && line.contains(forbidden) {
                offenders.append("Tests/\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(offenders.isEmpty, "use ChildProcess:\n\(offenders.joined(separator: "\n"))")
    }
}
