import Foundation
import IncidentRules
import Testing

@testable import IncidentConfig
@testable import IncidentDaemon

/// Building notifiers from the config: secret files are read, bad ones refused with the setting named and the
/// secret never shown.
@Suite struct NotifierDirectoryTests {
    func webhook(url: String? = nil, urlFile: String? = nil) -> Configuration.Notifier {
        var notifier = Configuration.Notifier(name: "oncall", kind: .webhook)
        notifier.url = url
        notifier.urlFile = urlFile
        return notifier
    }

    func error(_ notifiers: [Configuration.Notifier]) -> String? {
        do {
            _ = try NotifierDirectory.build(notifiers)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func secretsAreReadFromFilesWithoutTheirNewline() throws {
        let dir = tempDir()
        try "https://hooks.example/T1/B2/S3cretPath\n".write(toFile: dir + "/url", atomically: true, encoding: .utf8)
        try "Bearer tok3n\n".write(toFile: dir + "/auth", atomically: true, encoding: .utf8)
        var notifier = webhook(urlFile: dir + "/url")
        notifier.headerFiles = ["Authorization": dir + "/auth"]
        notifier.maxAttempts = 5
        notifier.fallback = "log"
        let targets = try NotifierDirectory.build([notifier, Configuration.Notifier(name: "log", kind: .journal)])
        #expect(targets["oncall"]?.retry.maxAttempts == 5)
        #expect(targets["oncall"]?.fallback == "log")
        #expect(targets["log"]?.notifier.name == "log")
    }

    @Test func anUnreadableSecretFileStopsTheStartWithoutTheSecret() throws {
        let dir = tempDir()
        #expect(
            error([webhook(urlFile: dir + "/missing")])?.hasPrefix(
                "notifier 'oncall': cannot read url_file \(dir)/missing (") == true)
        try "\n".write(toFile: dir + "/empty", atomically: true, encoding: .utf8)
        #expect(error([webhook(urlFile: dir + "/empty")]) == "notifier 'oncall': url_file \(dir)/empty is empty")
        try "ftp://S3cretHost/x".write(toFile: dir + "/ftp", atomically: true, encoding: .utf8)
        let message = try #require(error([webhook(urlFile: dir + "/ftp")]))
        #expect(message == "webhook notifier 'oncall': its url_file is not an http:// or https:// URL")
        #expect(!message.contains("S3cretHost"))
    }

    @Test func aPagerDutyWebhookNeedsARoutingKeyFile() throws {
        let dir = tempDir()
        let path = dir + "/incidentd.yaml"
        try """
        notifiers:
          - { name: pd, type: webhook, url: 'https://events.example/v2/enqueue', format: pagerduty }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let diagnostics = Configuration.load(path: path).diagnostics
        #expect(diagnostics.map(\.code) == ["missing-key"])
        #expect(diagnostics.first?.message.contains("needs 'routing_key_file'") == true)
    }
}
