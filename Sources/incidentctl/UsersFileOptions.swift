import ArgumentParser
import IncidentAccess
import IncidentRules

/// `--config` and `--file`, shared by the `user` commands: which users file to edit.
struct UsersFileOptions: ParsableArguments {
    @Option(
        help:
            "The daemon config, for http.auth.users_file (default: $INCIDENTD_CONFIG, else \(Configuration.defaultPath))"
    )
    var config: String?

    @Option(help: ArgumentHelp("The users file, overriding the config's http.auth.users_file.", valueName: "path"))
    var file: String?

    /// `--file`, else the config's `http.auth.users_file`, else the built-in default.
    func path() throws -> String {
        if let file { return file }
        return try DaemonOptions.configuration(explicit: config)?.http.auth.usersFile
            ?? Configuration().http.auth.usersFile
    }

    /// The accounts in the file (none when it does not exist yet) and its path.
    func load() throws -> (accounts: [UserAccount], path: String) {
        let path = try path()
        do {
            return (try UsersFile.load(path: path), path)
        } catch {
            throw CommandFailure(message: "error: \(error)")
        }
    }

    /// Writes the accounts back, atomically.
    func save(_ accounts: [UserAccount], path: String) throws {
        do {
            try UsersFile.save(accounts, path: path)
        } catch {
            throw CommandFailure(message: "error: \(error)")
        }
    }
}
