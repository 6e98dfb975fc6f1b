import AsyncHTTPClient
import Foundation
import IncidentConfig
import IncidentNotify

/// Builds the notifiers of the config: reads secret files (`url_file`, `header_files`, `routing_key_file`) once
/// at start, and refuses what cannot work with an error that names the notifier and the setting, never the
/// secret.
enum NotifierDirectory {
    typealias Targets = [String: NotifierTarget]

    /// `client` must not follow redirects (see `WebhookNotifier`).
    static func build(_ notifiers: [Configuration.Notifier], client: HTTPClient = WebhookNotifier.client) throws
        -> Targets
    {
        var targets: [String: NotifierTarget] = [:]
        for config in notifiers {
            let retry = RetryPolicy(
                maxAttempts: config.maxAttempts, initial: config.initialBackoff, max: config.maxBackoff)
            targets[config.name] = NotifierTarget(
                notifier: try notifier(config, client: client), retry: retry, fallback: config.fallback)
        }
        return targets
    }

    static func notifier(_ config: Configuration.Notifier, client: HTTPClient) throws -> any Notifier {
        switch config.kind {
        case .webhook:
            var secrets: [String] = []
            var url = config.url ?? ""
            if let file = config.urlFile {
                url = try secret(file, setting: "url_file", of: config.name)
                secrets.append(url)
            }
            guard let parsed = URL(string: url), ["http", "https", "http+unix"].contains(parsed.scheme ?? "") else {
                throw DaemonError(
                    .badConfig,
                    "webhook notifier '\(config.name)': its \(config.urlFile == nil ? "url" : "url_file") is not an "
                        + "http:// or https:// URL")
            }
            var headers = config.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            for (header, file) in config.headerFiles.sorted(by: { $0.key < $1.key }) {
                let value = try secret(file, setting: "header_files.\(header)", of: config.name)
                secrets.append(value)
                headers.append((header, value))
            }
            let routingKey = try config.routingKeyFile.map {
                try secret($0, setting: "routing_key_file", of: config.name)
            }
            let format = PayloadRenderer.Format(rawValue: config.format.rawValue) ?? .json
            return WebhookNotifier(
                name: config.name, url: url, format: format, headers: headers, routingKey: routingKey,
                timeout: config.timeout, client: client, secrets: secrets + [routingKey ?? ""])
        case .exec:
            return ExecNotifier(name: config.name, argv: config.argv, timeout: config.timeout)
        case .journal:
            return JournalNotifier(name: config.name)
        case .file:
            return FileNotifier(name: config.name, path: config.path ?? "")
        }
    }

    /// A secret file's content without its trailing newline.
    static func secret(_ path: String, setting: String, of notifier: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw DaemonError(
                .badConfig,
                "notifier '\(notifier)': cannot read \(setting) \(path) (\(error.localizedDescription)); make it "
                    + "readable by the incidentd user")
        }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else {
            throw DaemonError(.badConfig, "notifier '\(notifier)': \(setting) \(path) is empty")
        }
        return value
    }
}
