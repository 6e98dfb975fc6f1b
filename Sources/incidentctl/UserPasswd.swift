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
        let path = try users.edit(name, hint: "; add it with `incidentctl user add`") { accounts, index in
            accounts[index].passwordHash = try password.hash(for: name)
        }
        print("set the password of \(name) in \(path)")
    }
}
