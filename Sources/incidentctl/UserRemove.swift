import ArgumentParser
import IncidentAccess

struct UserRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a web user.",
        discussion: """
            The daemon notices the change by itself and ends the user's sessions on their next request.
            Example: incidentctl user remove alice
            """
    )

    @OptionGroup var users: UsersFileOptions

    @Argument(help: "The sign-in name.")
    var name: String

    func validate() throws {
        try UserNameArgument.check(name)
    }

    func run() throws {
        let loaded = try users.load()
        var accounts = loaded.accounts
        let path = loaded.path
        guard let index = accounts.firstIndex(where: { $0.name == name }) else {
            throw CommandFailure(message: "error: no user '\(name)' in \(path)")
        }
        accounts.remove(at: index)
        try users.save(accounts, path: path)
        print("removed \(name) from \(path)")
    }
}
