import Foundation
import IncidentCore
import IncidentEngine
import IncidentServer

/// Silences, held alerts, status and on-call (SPEC §11, §12): changes go through the pipeline like every operator
/// command, listings read the engine.
extension DaemonAPI {
    public func silences() async throws -> [Silence] {
        await pipeline.inspect { $0.silences }
    }

    public func upsertSilence(_ request: PostableSilence) async throws -> String {
        let newID = UUID().uuidString.lowercased()
        do {
            return try await pipeline.execute { engine, time in
                var id = newID
                if let asked = request.id {
                    guard let existing = engine.silences.first(where: { $0.id == asked }) else {
                        throw APIError(.notFound, "there is no silence \(asked) to update; leave id out to add one")
                    }
                    // As Alertmanager: an expired silence is not revived; the update becomes a new silence.
                    if existing.state(at: time) != .expired { id = asked }
                }
                // A start in the past means now for a new silence, as in Alertmanager; an active one being updated
                // keeps its start (the engine decides both).
                let silence = Silence(
                    id: id, matchers: request.matchers, startsAt: request.startsAt, endsAt: request.endsAt,
                    createdBy: request.createdBy, comment: request.comment, updatedAt: time)
                return (id, try engine.upsertSilence(silence, at: time))
            }
        } catch let error as EngineError {
            throw Self.explain(error)
        }
    }

    public func expireSilence(id: String, by person: String) async throws {
        do {
            try await pipeline.execute { engine, time in
                guard let silence = engine.silences.first(where: { $0.id == id }) else {
                    throw APIError(.notFound, "there is no silence \(id)")
                }
                guard silence.state(at: time) != .expired else {
                    throw APIError(.conflict, "silence \(id) has already expired (at \(silence.endsAt.rfc3339))")
                }
                return ((), try engine.expireSilence(id: id, by: person, at: time))
            }
        } catch let error as EngineError {
            throw Self.explain(error)
        }
    }

    public func alerts() async throws -> [RoutedAlert] {
        await pipeline.inspect { engine in
            engine.activeAlerts().map { alert in
                RoutedAlert(
                    alert: alert, receiver: engine.snapshot(alert.incident)?.escalation?.policy ?? "incidentd")
            }
        }
    }

    public func status() async throws -> DaemonStatus {
        let policies = await pipeline.inspect { $0.ruleSet.policies.keys.sorted() }
        return DaemonStatus(
            version: IncidentdVersion.version, runtime: IncidentdVersion.runtime, startedAt: startedAt,
            name: ProcessInfo.processInfo.hostName, receivers: ["incidentd"] + policies.filter { $0 != "incidentd" })
    }

    public func onCall(at time: Timestamp, schedule: String?) async throws -> [OnCallStatus] {
        let found = await pipeline.inspect { engine -> [OnCallStatus]? in
            let schedules = engine.ruleSet.schedules
            let names = schedule.map { [$0] } ?? schedules.keys.sorted()
            var statuses: [OnCallStatus] = []
            for name in names {
                guard let schedule = schedules[name] else { return nil }
                statuses.append(
                    OnCallStatus(
                        name: name, timezone: schedule.timezone, now: schedule.shift(at: time),
                        next: schedule.nextShift(after: time)))
            }
            return statuses
        }
        guard let found else {
            let known = await pipeline.inspect { $0.ruleSet.schedules.keys.sorted() }
            throw APIError(
                .notFound,
                "there is no schedule '\(schedule ?? "")'; "
                    + (known.isEmpty ? "the rule files define none" : "known: \(known.joined(separator: ", "))"))
        }
        return found
    }

    /// An engine refusal of a silence change in the API's terms.
    static func explain(_ error: EngineError) -> APIError {
        switch error.code {
        case .notFound: APIError(.notFound, error.message)
        case .invalidTransition: APIError(.conflict, error.message)
        case .invalidInput: APIError(.badRequest, error.message)
        }
    }
}
