/// The users file (SPEC §14): one user a line, `NAME:ROLE:BCRYPTHASH`; `#` comments and blank lines allowed.
///
/// ```
/// # incidentd web users: NAME:ROLE:BCRYPTHASH
/// alice:operator:$2b$12$…
/// ```
///
/// `incidentctl user add` writes it; the daemon reads it again whenever it changes. `admin` is not a role the
/// file can give: that is the control socket's, protected by its file mode.
public enum UsersFile {
    /// The largest users file read, in bytes: far more than any real team, small enough that a file filled by
    /// mistake cannot exhaust memory.
    public static let maximumBytes = 4 << 20

    /// The accounts in `text`, in file order. The first problem found is thrown, naming its line.
    public static func parse(_ text: String) throws(UsersFileError) -> [UserAccount] {
        var accounts: [UserAccount] = []
        var lines: [String: Int] = [:]
        var number = 0
        // "\r\n" is one Character in Swift: split on both, so a file edited on Windows reads the same.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw UsersFileError(
                    code: "bad-line", line: number,
                    message: "expected NAME:ROLE:BCRYPTHASH (three fields separated by ':'), found \(fields.count)")
            }
            let name = String(fields[0])
            guard UserAccount.isValidName(name) else {
                throw UsersFileError(
                    code: "bad-name", line: number,
                    message: "the user name \(Self.shown(name)) is not 1 to 64 characters of A-Z a-z 0-9 . _ @ -")
            }
            if let first = lines[name] {
                throw UsersFileError(
                    code: "duplicate-user", line: number,
                    message: "the user '\(name)' is already defined on line \(first); remove one of the lines")
            }
            let roleText = String(fields[1])
            guard let role = Role(rawValue: roleText), UserAccount.assignableRoles.contains(role) else {
                let allowed = UserAccount.assignableRoles.map(\.rawValue).joined(separator: ", ")
                let why =
                    roleText == Role.admin.rawValue
                    ? "the role 'admin' belongs to the control socket and cannot be given to a web user"
                    : "the role \(Self.shown(roleText)) is not a role"
                throw UsersFileError(code: "bad-role", line: number, message: "\(why); use one of \(allowed)")
            }
            let hash = String(fields[2])
            guard PasswordHash.isWellFormed(hash) else {
                let costs = PasswordHash.costs
                throw UsersFileError(
                    code: "bad-hash", line: number,
                    message:
                        "the password of '\(name)' is not a bcrypt hash ($2a$, $2b$ or $2y$, a cost from \(costs.lowerBound) to \(costs.upperBound), then 53 characters); set it again with `incidentctl user passwd \(name)`"
                )
            }
            lines[name] = number
            accounts.append(UserAccount(name: name, role: role, passwordHash: hash))
        }
        return accounts
    }

    /// The file's text for `accounts`: a header comment, then one line each, in the order given.
    public static func render(_ accounts: [UserAccount]) -> String {
        var text = """
            # incidentd web users (SPEC §14): NAME:ROLE:BCRYPTHASH, one a line. ROLE is viewer, operator or reporter.
            # Edit with `incidentctl user add|remove|passwd`; the daemon rereads this file when it changes.

            """
        for account in accounts {
            text += "\(account.name):\(account.role.rawValue):\(account.passwordHash)\n"
        }
        return text
    }

    /// A value as an error message may quote it: printable ASCII only, at most 64 characters.
    static func shown(_ text: String) -> String {
        let printable = text.unicodeScalars.prefix(64).map { scalar in
            (0x20..<0x7F).contains(scalar.value) ? String(scalar) : "?"
        }
        return "'" + printable.joined() + (text.unicodeScalars.count > 64 ? "…'" : "'")
    }
}

extension Substring {
    /// Without leading and trailing spaces, tabs and carriage returns (a file edited on Windows).
    func trimmingWhitespace() -> Substring {
        let space: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !space($0) }), let end = lastIndex(where: { !space($0) }) else {
            return self[endIndex...]
        }
        return self[start...end]
    }
}
