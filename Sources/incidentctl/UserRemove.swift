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
        let path = try users.edit(name) { accounts, index in accounts.remove(at: index) }
        print("removed \(name) from \(path)")
    }
}
