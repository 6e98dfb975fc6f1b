import FuzzSupport
import IncidentConfig
import IncidentRules

/// The daemon's config file (`Configuration.load(path:)`, what `incidentd validate` and the daemon read).
enum ConfigTarget {
    static let target = FuzzTarget("config") { data in
        YAMLFile.with(data) { path in
            let result = Configuration.load(path: path)
            DiagnosticProperties.check(result.diagnostics, file: path, accepted: result.configuration != nil)
        }
    }
}
