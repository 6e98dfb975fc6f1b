import Foundation
import IncidentCore

/// One alert in Alertmanager API v2 form, as `incidentctl send` writes it to the ingest socket: one JSON object
/// on one line.
public struct AlertLine: Sendable, Hashable, Encodable {
    public var labels: [String: String]
    public var annotations: [String: String]
    public var status: EventStatus
    public var startsAt: Timestamp
    /// Set for a resolved alert: it ended now.
    public var endsAt: Timestamp?

    /// A firing alert starting `now`, or with `resolve` a resolved one ending `now`. Labels must not be empty.
    public init(labels: [String: String], annotations: [String: String] = [:], resolve: Bool = false, now: Timestamp)
        throws(UsageError)
    {
        guard !labels.isEmpty else {
            throw UsageError("give at least one --label NAME=VALUE: the labels are the alert's identity")
        }
        self.labels = labels
        self.annotations = annotations
        self.status = resolve ? .resolved : .firing
        self.startsAt = now
        self.endsAt = resolve ? now : nil
    }

    enum CodingKeys: String, CodingKey { case labels, annotations, status, startsAt, endsAt }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(labels, forKey: .labels)
        if !annotations.isEmpty { try c.encode(annotations, forKey: .annotations) }
        try c.encode(status, forKey: .status)
        try c.encode(startsAt.rfc3339, forKey: .startsAt)
        try c.encodeIfPresent(endsAt?.rfc3339, forKey: .endsAt)
    }

    /// The line to send, newline included. JSON without pretty printing escapes every newline inside strings, so
    /// this is exactly one line.
    public var line: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding string dictionaries and strings cannot fail.
        return Array(try! encoder.encode(self)) + [0x0A]
    }
}
