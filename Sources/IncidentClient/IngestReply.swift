/// The ingest socket's answer to one line: `{"ok":true,"accepted":N,"incidents":["INC-3"]}` or
/// `{"ok":false,"line":1,"code":"...","error":"..."}`.
public struct IngestReply: Sendable, Hashable, Decodable {
    public var ok: Bool
    public var accepted: Int?
    public var incidents: [String]?
    public var line: Int?
    public var code: String?
    public var error: String?

    public init(
        ok: Bool, accepted: Int? = nil, incidents: [String]? = nil, line: Int? = nil, code: String? = nil,
        error: String? = nil
    ) {
        self.ok = ok
        self.accepted = accepted
        self.incidents = incidents
        self.line = line
        self.code = code
        self.error = error
    }

    /// What `incidentctl send` prints: `accepted: INC-3`, or the error with its code.
    public var summary: String {
        if ok {
            let incidents = incidents ?? []
            if incidents.isEmpty {
                return "accepted (\(accepted ?? 0) event\(accepted == 1 ? "" : "s"), no incident opened or joined)"
            }
            return "accepted: \(incidents.joined(separator: ", "))"
        }
        return "refused: \(error ?? "no reason given")" + (code.map { " [\($0)]" } ?? "")
    }
}
