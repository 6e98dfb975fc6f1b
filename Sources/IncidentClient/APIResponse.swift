import Foundation

/// A decoded answer of the daemon with the body it came from, which `--json` prints unchanged.
public struct APIResponse<Value: Sendable>: Sendable {
    public var value: Value
    public var body: Data

    public init(value: Value, body: Data) {
        self.value = value
        self.body = body
    }
}
