/// A password `PasswordHash.check` refuses to hash, with the reason to show the person typing it.
public struct PasswordError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }

    public var description: String { message }
}
