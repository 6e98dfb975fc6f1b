/// Where the spool is and how it is looked after (`sources.spool` in incidentd.yaml).
public struct SpoolSourceConfiguration: Sendable, Hashable {
    /// The spool directory holding `tmp/`, `new/`, `done/` and `failed/`.
    public var path: String
    /// How long ingested files stay in `done/` (`keep_done`); nil keeps them for ever. `failed/` is never purged.
    public var keepDone: Duration?
    /// How often `new/` is scanned in full besides inotify, in case an event was missed.
    public var rescanInterval: Duration
    /// How often `done/` is purged (also once at start).
    public var purgeInterval: Duration
    /// How long a file that inotify has not announced complete must be unchanged before it is taken.
    ///
    /// Only files found by a scan wait (those present at start, or when events were lost): one written
    /// directly in `new/` may still be open.
    public var settleTime: Duration
    /// The first wait before trying again when the sink could not commit; it doubles up to `maxRetryDelay`.
    public var retryDelay: Duration
    /// The longest wait between two tries.
    public var maxRetryDelay: Duration
    /// How many files may be submitted and waiting for their commit at once, so that a burst shares commits.
    public var maxFilesInFlight: Int

    /// The defaults are those of incidentd.yaml (`keep_done: 7d`) and the daemon's own timings.
    public init(
        path: String, keepDone: Duration? = .seconds(7 * 86_400), rescanInterval: Duration = .seconds(5),
        purgeInterval: Duration = .seconds(3600), settleTime: Duration = .seconds(2),
        retryDelay: Duration = .seconds(1), maxRetryDelay: Duration = .seconds(60), maxFilesInFlight: Int = 32
    ) {
        self.path = path
        self.keepDone = keepDone
        self.rescanInterval = rescanInterval
        self.purgeInterval = purgeInterval
        self.settleTime = settleTime
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.maxFilesInFlight = maxFilesInFlight
    }
}
