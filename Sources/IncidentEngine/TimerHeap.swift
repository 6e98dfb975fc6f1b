import IncidentCore

/// What a timer is for. Timers are checked against their record when they fire, so a timer whose record
/// moved on (a newer event, an acknowledgement) is simply ignored: no cancellation bookkeeping.
enum TimerKey: Sendable, Hashable {
    case alertResolve(Fingerprint)
    case escalation(Int)
    case ackTimeout(Int)
    case close(Int)
    case flapping(Int)
    case pending(String)
    /// A silence starts, ends, or its retention runs out.
    case silence(String)
    /// A maintenance window opens or closes.
    case maintenance(String)
    /// Re-check every alert's mutes (after a restore or a reload: windows may have opened meanwhile).
    case muting
}

/// A binary min-heap of due times; ties break by insertion order so runs are deterministic.
struct TimerHeap: Sendable {
    struct Entry: Sendable {
        var due: Timestamp
        var sequence: UInt64
        var key: TimerKey
    }

    private(set) var entries: [Entry] = []
    private var sequence: UInt64 = 0

    var count: Int { entries.count }
    var nextDue: Timestamp? { entries.first?.due }

    static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.due != b.due ? a.due < b.due : a.sequence < b.sequence
    }

    mutating func push(_ due: Timestamp, _ key: TimerKey) {
        sequence += 1
        entries.append(Entry(due: due, sequence: sequence, key: key))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry due at or before `now`.
    mutating func popDue(_ now: Timestamp) -> Entry? {
        guard let first = entries.first, first.due <= now else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < entries.count, Self.less(entries[left], entries[smallest]) { smallest = left }
                if right < entries.count, Self.less(entries[right], entries[smallest]) { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }

    mutating func removeAll() { entries.removeAll() }
}
