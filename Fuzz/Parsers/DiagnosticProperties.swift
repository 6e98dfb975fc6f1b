import FuzzSupport
import IncidentRules

/// What every rules-language reader promises of its diagnostics: each points at a real place in the file read,
/// with a code and a message, and a result is refused exactly when an error was reported.
enum DiagnosticProperties {
    static func check(_ diagnostics: [Diagnostic], file: String, accepted: Bool) {
        for diagnostic in diagnostics {
            FuzzCheck.require(diagnostic.file == file, "a diagnostic for \(diagnostic.file), not \(file)")
            FuzzCheck.require(diagnostic.line >= 1 && diagnostic.column >= 1, "a diagnostic at \(diagnostic)")
            FuzzCheck.require(!diagnostic.code.isEmpty && !diagnostic.message.isEmpty, "an empty diagnostic")
        }
        let errors = diagnostics.contains { $0.severity == .error }
        FuzzCheck.require(accepted != errors, "accepted: \(accepted), with errors: \(errors)")
    }
}
