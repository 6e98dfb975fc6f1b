import ArgumentParser
import Foundation
import IncidentAccess
import IncidentClient

struct UserList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the web users and their roles.",
        discussion: """
            Columns: name, role. --json prints [{"name": ..., "role": ...}, ...]; never the password hashes.
            Example: incidentctl user list --file /etc/incidentd/users
            """
    )

    @OptionGroup var users: UsersFileOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let (accounts, _) = try users.load()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let rows = accounts.map { ["name": $0.name, "role": $0.role.rawValue] }
            printOutput(try encoder.encode(rows))
        } else if accounts.isEmpty {
            print("no users")
        } else {
            print(TextTable.render(["NAME", "ROLE"], accounts.map { [$0.name, $0.role.rawValue] }))
        }
    }
}
