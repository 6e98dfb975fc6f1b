import IncidentCore

/// What the store records under `spool:NAME` once a spool file's events are committed: which file it was and
/// when it was committed, as `done dev=D ino=I mtime=NANOSECONDS size=BYTES at=MICROSECONDS`.
///
/// A file found in `new/` is skipped as already ingested only when its identity equals the recorded one, so a
/// name reused after its first file was ingested is ingested again, while the file a crash left in `new/`
/// after its commit is not. The time lets positions be pruned after `keep_done`, as their files are.
///
/// Earlier versions recorded a plain `done`: that has no identity and matches any file of the name (their
/// guarantee, kept for files left in `new/` across the upgrade), and no time (it is pruned at the first purge
/// unless a file of that name is in `new/`).
struct SpoolPosition: Sendable, Hashable {
    /// The file committed; nil for a position an earlier version wrote.
    var identity: SpoolFileIdentity?
    /// When it was committed; nil for a position an earlier version wrote.
    var committedAt: Timestamp?

    init(identity: SpoolFileIdentity, committedAt: Timestamp) {
        self.identity = identity
        self.committedAt = committedAt
    }

    /// Reads a stored position. Text this version cannot read counts as an earlier version's `done`: when in
    /// doubt a file is not ingested twice.
    init(text: String) {
        var fields: [Substring: Int64] = [:]
        var unsigned: [Substring: UInt64] = [:]
        let words = text.split(separator: " ")
        for word in words.dropFirst() {
            guard let equals = word.firstIndex(of: "=") else { continue }
            let key = word[..<equals]
            let value = word[word.index(after: equals)...]
            if let number = Int64(value) { fields[key] = number }
            if let number = UInt64(value) { unsigned[key] = number }
        }
        if words.first == "done", let device = unsigned["dev"], let inode = unsigned["ino"],
            let modified = fields["mtime"], let size = fields["size"], let at = fields["at"]
        {
            identity = SpoolFileIdentity(device: device, inode: inode, modified: modified, size: size)
            committedAt = Timestamp(microseconds: at)
        } else {
            identity = nil
            committedAt = nil
        }
    }

    /// The text stored.
    var text: String {
        guard let identity, let committedAt else { return "done" }
        return "done dev=\(identity.device) ino=\(identity.inode) mtime=\(identity.modified) size=\(identity.size) "
            + "at=\(committedAt.microseconds)"
    }

    /// Whether `file` is the file this position was committed for.
    func isPosition(of file: SpoolFileIdentity) -> Bool {
        identity.map { $0 == file } ?? true
    }

    /// Whether the position may be forgotten at `cutoff` (committed before it; an earlier version's always).
    func isOlder(than cutoff: Timestamp) -> Bool {
        (committedAt ?? .distantPast) < cutoff
    }
}
