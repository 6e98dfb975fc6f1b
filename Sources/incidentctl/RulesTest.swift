import ArgumentParser
import Foundation
import IncidentConfig
import IncidentEngine
import IncidentRules

struct RulesTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run rule test files offline on a virtual clock (SPEC §6).",
        discussion: """
            Each test feeds its events through the real correlation engine at their `at` offsets and checks the \
            incidents and notifications at each `expect` time. Directories are read for *.yaml files. \
            Note: decisions about the absence of events (a threshold window ending, resolve_after, close_after) \
            are taken one minute (the lateness allowance) after their nominal time, exactly as the daemon does.
            Exit 0 when every test passes, 1 otherwise.
            """
    )

    @Argument(help: "Test files or directories.")
    var paths: [String]

    @Option(help: "The daemon config, for notifier names (optional).")
    var config: String?

    func run() throws {
        let files = RuleSetLoader.expand(paths)
        guard !files.isEmpty else { throw ValidationError("no test files found in \(paths.joined(separator: " "))") }
        var notifiers: Set<String>?
        if let config {
            let loaded = Configuration.load(path: config)
            for d in loaded.diagnostics { printError(d.description) }
            guard let configuration = loaded.configuration else {
                throw CommandFailure(message: "error: bad config \(config)")
            }
            notifiers = Set(configuration.notifiers.map(\.name))
        }
        var passed = 0
        var failed = 0
        var cache: [[String]: RuleSet] = [:]
        for file in files {
            let (testFile, diagnostics) = RuleTestFile.load(path: file)
            for d in diagnostics { print(d) }
            guard let testFile else {
                failed += 1
                print("FAIL \(file): the test file has errors")
                continue
            }
            let ruleSet: RuleSet
            if let cached = cache[testFile.ruleFiles] {
                ruleSet = cached
            } else {
                let loaded = RuleSetLoader(knownNotifiers: notifiers).load(paths: testFile.ruleFiles)
                for d in loaded.diagnostics where d.severity == .error { print(d) }
                guard let set = loaded.ruleSet else {
                    failed += testFile.tests.count
                    print("FAIL \(file): its rule files have errors")
                    continue
                }
                cache[testFile.ruleFiles] = set
                ruleSet = set
            }
            let report = RuleTestRunner().run(testFile, ruleSet: ruleSet)
            for name in report.passed { print("ok   \(file): \(name)") }
            var failedTests = Set<String>()
            for failure in report.failures {
                failedTests.insert(failure.test)
                print("FAIL \(failure.location): \(failure.test)\n  \(failure.message)")
            }
            passed += report.passed.count
            failed += failedTests.count
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
