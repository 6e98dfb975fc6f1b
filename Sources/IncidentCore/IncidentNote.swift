/// A note a person added to an incident (`incidentctl note`, `POST .../notes`).
public struct IncidentNote: Sendable, Hashable {
    /// The store's row id; notes of one incident sort by it after `at`.
    public var id: Int64
    public var incident: Int
    public var at: Timestamp
    public var author: String
    public var text: String

    public init(id: Int64, incident: Int, at: Timestamp, author: String, text: String) {
        self.id = id
        self.incident = incident
        self.at = at
        self.author = author
        self.text = text
    }
}
