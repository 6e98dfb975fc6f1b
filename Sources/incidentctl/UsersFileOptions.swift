import ArgumentParser
import IncidentAccess
import IncidentConfig

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

    /// Loads the file, lets `change` edit the accounts given the index of `name`'s, and writes them back; an error
    /// naming the file (and `hint`) when there is no such user. Returns the file's path.
    func edit(_ name: String, hint: String = "", _ change: (inout [UserAccount], Int) throws -> Void) throws -> String {
        var (accounts, path) = try load()
        guard let index = accounts.firstIndex(where: { $0.name == name }) else {
            throw CommandFailure(message: "error: no user '\(name)' in \(path)\(hint)")
        }
        try change(&accounts, index)
        try save(accounts, path: path)
        return path
    }
}
