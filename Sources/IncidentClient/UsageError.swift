/// A command-line value that is not valid; `incidentctl` reports it as a usage error (exit 2).
public struct UsageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
