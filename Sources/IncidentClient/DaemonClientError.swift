/// A request to the daemon that did not succeed; the message is what the operator reads.
public struct DaemonClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Nothing answers on the control socket (not running, wrong path, no permission).
        case unreachable
        /// The daemon answered with an error status; `status` and `apiCode` say which.
        case api
        /// The daemon answered something that is not the documented shape.
        case badResponse = "bad_response"
    }

    public var code: Code
    public var message: String
    /// The HTTP status for `.api`, else 0.
    public var status: Int
    /// The `code` of the daemon's error body (`not_found`, `conflict`, ...), for `.api`.
    public var apiCode: String?

    public init(_ code: Code, _ message: String, status: Int = 0, apiCode: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.apiCode = apiCode
    }

    public var description: String { message }
}
