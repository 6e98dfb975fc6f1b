/// A person who may sign in to the web pages: one line of the users file (SPEC §14).
public struct UserAccount: Sendable, Hashable {
    /// The sign-in name: 1 to 64 characters of `A-Z a-z 0-9 . _ @ -` (see `isValidName`).
    public var name: String
    /// What the person may do; never `admin`, which is the control socket's.
    public var role: Role
    /// The bcrypt hash of the password (`$2b$12$…`).
    public var passwordHash: String

    public init(name: String, role: Role, passwordHash: String) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
    }

    /// The roles a users file may give: every role but `admin`.
    public static let assignableRoles: [Role] = [.viewer, .operator, .reporter]

    /// Whether `name` may name a user: 1 to 64 characters of `A-Z a-z 0-9 . _ @ -`. Names go into the file's
    /// `NAME:ROLE:HASH` lines, the console's pages and the audit trail, so nothing needs escaping anywhere.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"),
                    UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }
}
