extension RuleSet {
    /// The journal fields a rule set names exactly, for the journal source's default matches (SPEC §3).
    ///
    /// Pushing matches down to libsystemd lets the journal source skip the bulk of a busy journal (debug and
    /// info lines) without mapping them; it must still read every entry a rule could pick out by name, or an
    /// `identifier="sshd"` rule would never see sshd's PRIORITY 6 lines.
    public struct JournalInterest: Sendable, Hashable {
        /// Values of `identifier` (SYSLOG_IDENTIFIER) that some rule matches exactly.
        public var identifiers: Set<String> = []
        /// Values of `unit` (UNIT, USER_UNIT or _SYSTEMD_UNIT).
        public var units: Set<String> = []
        /// Values of `message_id` (MESSAGE_ID).
        public var messageIDs: Set<String> = []

        public init(identifiers: Set<String> = [], units: Set<String> = [], messageIDs: Set<String> = []) {
            self.identifiers = identifiers
            self.units = units
            self.messageIDs = messageIDs
        }
    }

    /// Every identifier, unit and message_id value a rule matches exactly (`name="v"` or `name=~"a|b"`).
    ///
    /// Rules with `drop: true` are left out: reading entries only to discard them is the cost the matches
    /// exist to avoid. A regex that is not a plain list of names contributes nothing; such entries are read
    /// only when their PRIORITY is 0..4.
    public var journalInterest: JournalInterest {
        var interest = JournalInterest()
        for rule in rules where !rule.drop {
            for matcher in rule.matchers {
                guard let values = matcher.indexValues else { continue }
                switch matcher.name {
                case "identifier": interest.identifiers.formUnion(values)
                case "unit": interest.units.formUnion(values)
                case "message_id": interest.messageIDs.formUnion(values)
                default: break
                }
            }
        }
        return interest
    }
}
