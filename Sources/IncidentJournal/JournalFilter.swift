/// Which journal entries the journal source reads, pushed down to libsystemd as `sd_journal_add_match` terms so
/// the entries nobody wants are never mapped (SPEC §3 `sources.journal.matches`).
public enum JournalFilter: Sendable, Hashable {
    /// The operator's `FIELD=value` strings, as `journalctl` takes them: the same field OR-ed, different fields
    /// AND-ed.
    case matches([String])
    /// The default when `matches` is empty: PRIORITY 0..4, or any of these identifiers, units or MESSAGE_IDs
    /// (the values the loaded rules match exactly), whatever their priority.
    case derived(identifiers: Set<String>, units: Set<String>, messageIDs: Set<String>)

    /// The match terms: within a group as `journalctl` combines them, groups OR-ed by `sd_journal_add_disjunction`.
    public var groups: [[String]] {
        switch self {
        case .matches(let matches):
            return matches.isEmpty ? [] : [matches]
        case .derived(let identifiers, let units, let messageIDs):
            var groups = [(0...4).map { "PRIORITY=\($0)" }]
            // Sorted, so the same rules always give the same terms (and logs).
            if !identifiers.isEmpty { groups.append(identifiers.sorted().map { "SYSLOG_IDENTIFIER=\($0)" }) }
            if !messageIDs.isEmpty { groups.append(messageIDs.sorted().map { "MESSAGE_ID=\($0)" }) }
            // The unit label comes from any of three fields (SPEC §4), so each is a group of its own.
            for field in ["UNIT", "USER_UNIT", "_SYSTEMD_UNIT"] where !units.isEmpty {
                groups.append(units.sorted().map { "\(field)=\($0)" })
            }
            return groups
        }
    }

    /// Installs the terms on a reader, replacing any it had.
    package func apply(to reader: JournalReader) throws(JournalReader.Failure) {
        reader.flushMatches()
        for (index, group) in groups.enumerated() {
            if index > 0 { try reader.addDisjunction() }
            for match in group { try reader.addMatch(match) }
        }
    }

    /// A short form for logs.
    public var summary: String {
        groups.map { $0.joined(separator: " ") }.joined(separator: " + ")
    }
}
