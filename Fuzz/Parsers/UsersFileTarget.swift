import FuzzSupport
import IncidentAccess

/// `UsersFile.parse`, which the daemon runs on every change of the users file: an error names a line of the
/// text (1 to the number of lines) with a code and a message; what parses has valid names, no duplicates, no
/// `admin`, well-formed hashes, and renders to text that parses back to the same accounts.
enum UsersFileTarget {
    static let target = FuzzTarget("users-file") { data in
        let text = String(decoding: data, as: UTF8.self)
        let accounts: [UserAccount]
        do throws(UsersFileError) {
            accounts = try UsersFile.parse(text)
        } catch {
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            FuzzCheck.require(
                (1...lines.count).contains(error.line), "an error on line \(error.line) of \(lines.count)")
            FuzzCheck.require(!error.code.isEmpty && !error.message.isEmpty, "an error without code or message")
            return
        }
        FuzzCheck.require(Set(accounts.map(\.name)).count == accounts.count, "a name parsed twice")
        for account in accounts {
            FuzzCheck.require(UserAccount.isValidName(account.name), "the invalid name '\(account.name)' parsed")
            FuzzCheck.require(account.role != .admin, "admin parsed")
            FuzzCheck.require(PasswordHash.isWellFormed(account.passwordHash), "a malformed hash parsed")
        }
        let again = try? UsersFile.parse(UsersFile.render(accounts))
        FuzzCheck.require(again == accounts, "the rendered file does not parse back to the same accounts")
    }
}
