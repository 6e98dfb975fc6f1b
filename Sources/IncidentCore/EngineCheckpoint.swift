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
