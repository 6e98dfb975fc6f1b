import Foundation

/// The engine's saved working state and how far into the recorded events it reaches: a restart restores it and
/// replays the events with ids after `throughEvent`.
public struct EngineCheckpoint: Sendable, Hashable {
    public var data: Data
    public var throughEvent: Int64
    public var savedAt: Timestamp

    public init(data: Data, throughEvent: Int64, savedAt: Timestamp) {
        self.data = data
        self.throughEvent = throughEvent
        self.savedAt = savedAt
    }
}

/// One part of an engine checkpoint written across several commits: at 100,000 alerts a checkpoint is 6–8 MB, and
/// written whole it stopped the one writer, and every event behind it, for 0.05–0.15 s (BENCHMARKS.md, issue 16).
///
/// A store keeps the parts of the checkpoint being written apart from the saved one. The commit that carries the
/// last part (`index == count - 1`) makes them the saved checkpoint, covering events through `throughEvent`, and
/// drops the previous one; until then a restart restores the previous one. A part with index 0 starts a new
/// checkpoint and drops the parts of any that was never finished. A whole checkpoint (`StoreBatch.engineState`)
/// replaces both.
public struct EngineStatePart: Sendable, Hashable {
    public var index: Int
    public var count: Int
    public var data: Data
    public var throughEvent: Int64

    public init(index: Int, count: Int, data: Data, throughEvent: Int64) {
        self.index = index
        self.count = count
        self.data = data
        self.throughEvent = throughEvent
    }

    public var isLast: Bool { index == count - 1 }
}

extension EngineStatePart {
    /// The saved checkpoint's bytes from its parts as a store read them (`seq`, bytes; in `seq` order), or nil
    /// when they are not exactly parts 0 to `count - 1`: a store that finds that is damaged.
    public static func assemble(_ parts: [(seq: Int64, data: Data)], count: Int) -> Data? {
        guard count > 0, parts.count == count else { return nil }
        var data = Data(capacity: parts.reduce(0) { $0 + $1.data.count })
        for (expected, part) in parts.enumerated() {
            guard part.seq == Int64(expected) else { return nil }
            data.append(part.data)
        }
        return data
    }
}
