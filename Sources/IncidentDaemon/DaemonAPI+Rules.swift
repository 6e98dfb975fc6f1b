import Foundation
import IncidentCore
import IncidentEngine
import IncidentIngest
import IncidentRules
import IncidentServer

/// The rules and reports pages (SPEC §14): the rule set is the engine's, so a reload shows at once; activity and
/// daily counts come from the store.
extension DaemonAPI {
    public func rules() async throws -> [RuleSummary] {
        await pipeline.inspect { $0.ruleSet.summaries }
    }

    public func ruleActivity(since: Timestamp) async throws -> [RuleActivity] {
        try await store.ruleActivity(since: since)
    }

    public func dailyCounts(since: Timestamp, until: Timestamp) async throws -> [DailyCount] {
        try await store.dailyCounts(since: since, until: until)
    }

    public func explain(_ body: Data, format: String?, source: EventSource?, trace: Bool) async throws
        -> [EventExplanation]
    {
        let payloadFormat = try format.map { name -> PayloadFormat in
            guard let known = PayloadFormat(rawValue: name) else {
                throw APIError(
                    .badRequest,
                    "unknown payload format '\(name)'; use \(PayloadFormat.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return known
        }
        let events: [Event]
        do {
            // As `incidentctl rules explain`: decoded as from the socket unless a source is named.
            events = try decoder.decode(body, format: payloadFormat, source: source ?? .socket, receivedAt: now())
        } catch {
            throw APIError(error.code == "too-large" ? .payloadTooLarge : .badRequest, error.description)
        }
        let ruleSet = await pipeline.inspect { $0.ruleSet }
        return events.map {
            RuleExplanation(event: $0, ruleSet: ruleSet, sourceOverride: source, trace: trace).explanation
        }
    }
}
