extension Event {
    /// Why the engine must not take this event, or nil when it may.
    ///
    /// The decoders refuse such events at the door (`bad-time`); this is the second line, for what an older
    /// version stored or a caller built by hand: an event recovery finds here is quarantined, not replayed, so
    /// that one stored event can never stop the daemon from starting again.
    public var validityProblem: String? {
        if labels.isEmpty { return "it has no labels" }
        if !receivedAt.isValid { return "received_at \(receivedAt.microseconds) µs is outside the years 0001 to 9999" }
        if let startsAt, !startsAt.isValid {
            return "starts_at \(startsAt.microseconds) µs is outside the years 0001 to 9999"
        }
        if let endsAt, !endsAt.isValid { return "ends_at \(endsAt.microseconds) µs is outside the years 0001 to 9999" }
        return nil
    }
}
