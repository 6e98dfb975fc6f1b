/// What the spool source has done so far, for `STATUS=` and metrics.
public struct SpoolSourceCounters: Sendable, Hashable {
    /// Files whose events were committed and that were moved to `done/`.
    public var filesDone: Int
    /// Files moved to `failed/` with a `.error` file.
    public var filesFailed: Int
    /// Files found in `new/` although already committed (the daemon stopped between commit and move), moved
    /// to `done/` without ingesting them again.
    public var filesAlreadyCommitted: Int
    /// Times the sink could not commit and the source waited to try again.
    public var retries: Int
    /// Files deleted from `done/` after `keep_done`.
    public var filesPurged: Int
    /// Times a file could not be opened or read for a passing reason (out of descriptors or memory, an I/O
    /// error) and stayed in `new/` for a later pass.
    public var filesDeferred: Int
    /// Positions (`spool:NAME`) forgotten after `keep_done`.
    public var positionsPruned: Int

    /// Counts, all zero by default.
    public init(
        filesDone: Int = 0, filesFailed: Int = 0, filesAlreadyCommitted: Int = 0, retries: Int = 0,
        filesPurged: Int = 0, filesDeferred: Int = 0, positionsPruned: Int = 0
    ) {
        self.filesDone = filesDone
        self.filesFailed = filesFailed
        self.filesAlreadyCommitted = filesAlreadyCommitted
        self.retries = retries
        self.filesPurged = filesPurged
        self.filesDeferred = filesDeferred
        self.positionsPruned = positionsPruned
    }
}
