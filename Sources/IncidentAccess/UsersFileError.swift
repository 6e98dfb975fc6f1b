/// What is wrong with a users file, and where: `users:3: the role 'admin' …`.
public struct UsersFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short stable code: `bad-line`, `bad-name`, `duplicate-user`, `bad-role`, `bad-hash`, `unreadable`,
    /// `unwritable`.
    public var code: String
    /// The 1-based line the problem is on; 0 for the file as a whole.
    public var line: Int
    /// The file, when the text came from one.
    public var path: String?
    /// What is wrong and what to do.
    public var message: String

    public init(code: String, line: Int, path: String? = nil, message: String) {
        self.code = code
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        let place = [path, line > 0 ? String(line) : nil].compactMap { $0 }.joined(separator: ":")
        return place.isEmpty ? message : "\(place): \(message)"
    }
}
