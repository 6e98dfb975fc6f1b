import Foundation
import IncidentCore

/// What a person writes in the self-service portal, checked and turned into a reported incident (SPEC §14):
/// a `user_issue` whose impact comes from how many people it stops and whose urgency from how urgent it is.
public struct PortalReport: Sendable, Hashable {
    /// The answers to "how many people does it stop from working?": form value, label, impact.
    public static let reachOptions: [(value: String, label: String, impact: Impact)] = [
        ("me", "Only me", .low), ("team", "My team or a few people", .medium),
        ("many", "Many people, or everyone", .high),
    ]
    /// The answers to "how urgent is it?": form value, label, urgency.
    public static let urgencyOptions: [(value: String, label: String, urgency: Urgency)] = [
        ("later", "It can wait a few days", .low), ("soon", "It slows my work down", .medium),
        ("now", "I cannot work at all", .high),
    ]

    public var summary: String
    public var service: String?
    public var details: String
    public var impact: Impact
    public var urgency: Urgency

    /// Reads the form; throws a message to show beside it when an answer is missing or not one offered.
    public init(form: [String: String]) throws(PortalFormError) {
        let summary = (form["summary"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !summary.isEmpty else { throw PortalFormError("Say in a few words what is wrong.") }
        guard summary.count <= 200 else {
            throw PortalFormError("Keep the summary under 200 characters; add the rest as details.")
        }
        let service = (form["service"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard service.count <= 64 else { throw PortalFormError("A service name has at most 64 characters.") }
        let details = (form["details"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard details.count <= 5000 else { throw PortalFormError("Keep the details under 5,000 characters.") }
        guard let reach = Self.reachOptions.first(where: { $0.value == form["reach"] }) else {
            throw PortalFormError("Choose how many people it stops from working.")
        }
        guard let urgency = Self.urgencyOptions.first(where: { $0.value == form["urgency"] }) else {
            throw PortalFormError("Choose how urgent it is.")
        }
        self.summary = summary.filter { !$0.isNewline }
        self.service = service.isEmpty ? nil : service
        self.details = details
        self.impact = reach.impact
        self.urgency = urgency.urgency
    }

    /// The incident to open for `person`: labelled with the service and the reporter, so the portal can list a
    /// person's own reports and the status page can group by service.
    public func reported(by person: String) -> ReportedIncident {
        var labels: [String: String] = ["reporter": person, "source": "portal"]
        if let service { labels["service"] = service }
        return ReportedIncident(
            kind: .userIssue, title: summary, impact: impact, urgency: urgency, labels: Labels(labels), by: person)
    }
}

/// Why the portal form was not accepted, in words for the person filling it in.
public struct PortalFormError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
