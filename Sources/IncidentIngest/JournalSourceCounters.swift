/// What the journal source has done so far, for `STATUS=` and metrics.
public struct JournalSourceCounters: Sendable, Hashable {
    /// Entries read from the journal (after the matches), mapped or not.
    public var entriesRead: Int
    /// Entries whose events and cursor were committed.
    public var entriesCommitted: Int
    /// Entries that could not be mapped to an event (SPEC §4): counted, logged and skipped.
    public var entriesUnmappable: Int
    /// Times libsystemd reported journal files added or removed (rotation, vacuuming).
    public var invalidations: Int
    /// Submissions the sink failed to commit; the reader went back to the last committed cursor.
    public var commitFailures: Int
    /// Times the journal could not be opened or read.
    public var openFailures: Int
    /// Whether the journal is open now.
    public var isOpen: Bool

    /// Counts, all zero by default.
    public init(
        entriesRead: Int = 0, entriesCommitted: Int = 0, entriesUnmappable: Int = 0, invalidations: Int = 0,
        commitFailures: Int = 0, openFailures: Int = 0, isOpen: Bool = false
    ) {
        self.entriesRead = entriesRead
        self.entriesCommitted = entriesCommitted
        self.entriesUnmappable = entriesUnmappable
        self.invalidations = invalidations
        self.commitFailures = commitFailures
        self.openFailures = openFailures
        self.isOpen = isOpen
    }
}
