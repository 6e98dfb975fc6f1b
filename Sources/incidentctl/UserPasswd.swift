import ArgumentParser
import IncidentAccess

struct UserPasswd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Set a web user's password.",
        discussion: """
            Asked twice on the terminal, or read from the first line of stdin with --password-stdin; at most 72 \
            bytes.
            Examples:
              incidentctl user passwd alice
              printf '%s\\n' "$PASSWORD" | incidentctl user passwd bot --password-stdin
            """
    )

    @OptionGroup var users: UsersFileOptions

    @Argument(help: "The sign-in name.")
    var name: String

    @OptionGroup var password: PasswordOptions

    func validate() throws {
        try UserNameArgument.check(name)
    }

    func run() throws {
        let loaded = try users.load()
        var accounts = loaded.accounts
        let path = loaded.path
        guard let index = accounts.firstIndex(where: { $0.name == name }) else {
            throw CommandFailure(message: "error: no user '\(name)' in \(path); add it with `incidentctl user add`")
        }
        accounts[index].passwordHash = try password.hash(for: name)
        try users.save(accounts, path: path)
        print("set the password of \(name) in \(path)")
    }
}
