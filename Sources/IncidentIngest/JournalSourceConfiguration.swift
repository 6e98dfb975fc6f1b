/// Where the journal source reads and how (SPEC §3 `sources.journal`).
public struct JournalSourceConfiguration: Sendable {
    /// Which journal to open.
    public enum Location: Sendable, Hashable, CustomStringConvertible {
        /// The local system journal (`SD_JOURNAL_LOCAL_ONLY`).
        case local
        /// Every journal file in a directory; a directory, never single files, so rotation is followed.
        case directory(String)

        public var description: String {
            switch self {
            case .local: "local journal"
            case .directory(let path): path
            }
        }
    }

    /// Where a first start without a stored cursor begins.
    public enum StartAt: String, Sendable, Hashable {
        /// Only entries written from now on.
        case end
        /// Everything the journal still holds.
        case beginning
    }

    public var location: Location
    public var filter: JournalFilter
    public var startAt: StartAt
    /// Most entries handed to the sink in one submission; large batches share a commit.
    public var maxBatchEntries = 4_096
    /// Submissions awaiting their commit before the reader waits for the oldest. Eight are four of the pipeline's
    /// batches (8,192 events): one committing, one in the engine and two queued, so the engine never waits for the
    /// reader (four had the reader start on the next batch only once a commit returned; BENCHMARKS.md, issue 16).
    public var maxBatchesInFlight = 8
    /// How long one `sd_journal_wait` blocks; bounds how long a stop waits for the reading thread.
    public var waitTimeout: Duration = .milliseconds(250)
    /// Pause before opening again a journal that could not be opened or read.
    public var reopenDelay: Duration = .seconds(5)
    /// Pause before reading again after the sink failed to commit.
    public var retryDelay: Duration = .seconds(1)

    public init(location: Location, filter: JournalFilter, startAt: StartAt = .end) {
        self.location = location
        self.filter = filter
        self.startAt = startAt
    }
}
