import ArgumentParser
import Foundation
import IncidentClient
import IncidentConfig
import IncidentRules

/// `--config` and `--socket`, shared by every command that talks to the daemon.
struct DaemonOptions: ParsableArguments {
    @Option(
        help:
            "The daemon config, for http.control_socket (default: $INCIDENTD_CONFIG, else \(Configuration.defaultPath))"
    )
    var config: String?

    @Option(help: "The control socket, overriding the config's http.control_socket.")
    var socket: String?

    /// The config, when one was named or exists at the default path; nil means the built-in defaults.
    func configuration() throws -> Configuration? {
        try Self.configuration(explicit: config)
    }

    /// The config at `--config`, else `$INCIDENTD_CONFIG`, else the default path when it exists; a named config
    /// that cannot be loaded is an error.
    static func configuration(explicit: String?) throws -> Configuration? {
        let environment = ProcessInfo.processInfo.environment
        let path = Configuration.locate(explicit: explicit, environment: environment)
        let named = explicit != nil || environment["INCIDENTD_CONFIG"] != nil
        guard named || FileManager.default.fileExists(atPath: path) else { return nil }
        let loaded = Configuration.load(path: path)
        guard let configuration = loaded.configuration else {
            for diagnostic in loaded.diagnostics { printError(diagnostic.description) }
            throw CommandFailure(
                message: "error: the config \(path) cannot be loaded; fix it, or name the socket directly")
        }
        return configuration
    }

    /// The control socket: `--socket`, else the config's, else the default.
    func controlSocket() throws -> String {
        if let socket { return socket }
        return try configuration()?.http.controlSocket ?? Configuration().http.controlSocket
    }

    /// A client for the daemon's HTTP API on the control socket.
    func client() throws -> DaemonClient {
        DaemonClient(socketPath: try controlSocket())
    }
}
