/// A matcher or silence that cannot be used, with what to write instead.
public struct SilenceMatcherError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
