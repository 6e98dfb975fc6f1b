/// The text columns of a batch's events, written ahead of the commit: each event's fingerprint as 16 hex digits
/// and its labels and annotations as `Labels.jsonText`, in one buffer.
///
/// The pipeline writes them while the engine takes a batch, beside the commit of the one before; the store's
/// writer, the one thread every commit goes through, then only binds them. Writing them in the commit was a fifth
/// of the writer's time on the journal path (BENCHMARKS.md, issue 16).
public struct EventColumns: Sendable, Equatable {
    private var bytes: [UInt8] = []
    /// Where each event's fingerprint, labels and annotations end in `bytes`: three entries an event.
    private var ends: [Int] = []

    public init() {}

    public init(_ events: [Event]) {
        ends.reserveCapacity(3 * events.count)
        // Sized for the text without escapes, summed over every event (sized after one, a large first event, a long
        // message, would reserve its size times the count). Grown as they came, a submission's bytes (a megabyte
        // or more for the journal's 4,096 entries) went through a dozen buffers, each above glibc's mmap threshold a
        // mapping of its own, faulted in page by page and copied into the next (BENCHMARKS.md, issue 16).
        bytes.reserveCapacity(events.reduce(0) { $0 + Self.unescapedBytes($1) })
        for event in events { append(event) }
    }

    /// The bytes `append(_:)` writes for `event` when nothing in it needs an escape: the hex fingerprint, and each
    /// label's text with its quotes, colon and comma.
    static func unescapedBytes(_ event: Event) -> Int {
        func json(_ labels: Labels) -> Int { labels.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 } }
        return 16 + json(event.labels) + json(event.annotations)
    }

    /// How many events the columns hold.
    public var count: Int { ends.count / 3 }

    public mutating func append(_ event: Event) {
        event.fingerprint.appendHex(to: &bytes)
        ends.append(bytes.count)
        event.labels.appendJSON(to: &bytes)
        ends.append(bytes.count)
        event.annotations.appendJSON(to: &bytes)
        ends.append(bytes.count)
    }

    public mutating func append(contentsOf events: [Event]) {
        for event in events { append(event) }
    }

    /// Appends columns written elsewhere after these: the same as appending their events. Empty columns take
    /// `other`'s storage as it is, without copying it.
    public mutating func append(_ other: EventColumns) {
        guard !ends.isEmpty else {
            self = other
            return
        }
        let offset = bytes.count
        bytes.append(contentsOf: other.bytes)
        // Grown as `append(contentsOf:)` grows it: `reserveCapacity(count + n)` reallocates to exactly that, so a
        // batch joining several submissions' columns would copy them all again at each.
        ends.append(contentsOf: other.ends.lazy.map { offset + $0 })
    }

    /// Hands `body` every event's columns, valid until it returns: a store binds them without copying for the
    /// statements it runs in there. None holds a NUL byte.
    public func withBuffers<R>(_ body: (Buffers) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { all in
            try ends.withUnsafeBufferPointer { ends in try body(Buffers(bytes: all, ends: ends)) }
        }
    }

    /// The columns in place, for `withBuffers`.
    public struct Buffers {
        let bytes: UnsafeBufferPointer<UInt8>
        let ends: UnsafeBufferPointer<Int>

        public subscript(index: Int) -> (
            fingerprint: UnsafeBufferPointer<UInt8>, labels: UnsafeBufferPointer<UInt8>,
            annotations: UnsafeBufferPointer<UInt8>
        ) {
            let start = index == 0 ? 0 : ends[3 * index - 1]
            let (a, b, c) = (ends[3 * index], ends[3 * index + 1], ends[3 * index + 2])
            return (
                UnsafeBufferPointer(rebasing: bytes[start..<a]), UnsafeBufferPointer(rebasing: bytes[a..<b]),
                UnsafeBufferPointer(rebasing: bytes[b..<c])
            )
        }
    }
}
