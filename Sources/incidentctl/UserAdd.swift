import ArgumentParser
import IncidentAccess

struct UserAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a web user with a role and a password.",
        discussion: """
            NAME is 1 to 64 characters of A-Z a-z 0-9 . _ @ -. The password is asked twice on the terminal, or \
            read from the first line of stdin with --password-stdin. A NAME that exists is an error unless \
            --update, which sets its role and password. The daemon notices the change by itself.
            Examples:
              incidentctl user add alice --role operator
              incidentctl user add alice --role viewer --update
              printf '%s\\n' "$PASSWORD" | incidentctl user add bot --role reporter --password-stdin
            """
    )

    @OptionGroup var users: UsersFileOptions

    @Argument(help: "The sign-in name.")
    var name: String

    @Option(help: "viewer (reads the console), operator (also acts) or reporter (the portal only).")
    var role: String

    @Flag(help: "Replace the role and password of a user that exists.")
    var update = false

    @OptionGroup var password: PasswordOptions

    func validate() throws {
        try UserNameArgument.check(name)
        _ = try UserRoleArgument.role(role)
    }

    func run() throws {
        let role = try UserRoleArgument.role(role)
        let loaded = try users.load()
        var accounts = loaded.accounts
        let path = loaded.path
        let index = accounts.firstIndex { $0.name == name }
        if index != nil, !update {
            throw CommandFailure(
                message: "error: the user '\(name)' exists in \(path); use --update to change its role and password")
        }
        let account = UserAccount(name: name, role: role, passwordHash: try password.hash(for: name))
        if let index { accounts[index] = account } else { accounts.append(account) }
        try users.save(accounts, path: path)
        print(
            index == nil
                ? "added \(name) (\(role.rawValue)) to \(path)" : "updated \(name) (\(role.rawValue)) in \(path)")
    }
}
