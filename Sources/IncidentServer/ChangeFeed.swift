import Synchronization

/// A counter the daemon bumps whenever a commit changed an incident (opened, acknowledged, resolved, a note,
/// a page): the web pages' live updates (`/events`) watch it and tell browsers to fetch again. Cheap to read; it
/// carries no data, so nothing a browser is sent bypasses the pages' access checks.
public final class ChangeFeed: Sendable {
    private let version = Atomic<UInt64>(0)

    public init() {}

    /// Something changed.
    public func bump() {
        version.add(1, ordering: .releasing)
    }

    /// How many changes there have been.
    public var current: UInt64 {
        version.load(ordering: .acquiring)
    }
}
