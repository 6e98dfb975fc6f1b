/// The daemon cannot start or go on: what is wrong and what to do about it.
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case badConfig = "bad_config"
        case badRules = "bad_rules"
        case badEngineState = "bad_engine_state"
        case store
        case source
        case unsupported
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
