import Synchronization

/// What a listener knows about its bind, shared between its `onServerRunning` hook and its service task.
final class BindState: Sendable {
    /// The inode of the bound control socket, or 0; set once the listener is serving.
    private let state = Mutex<(bound: Bool, inode: UInt64)>((false, 0))

    func markBound(inode: UInt64 = 0) {
        state.withLock { $0 = (true, inode) }
    }

    var isBound: Bool { state.withLock { $0.bound } }
    var inode: UInt64 { state.withLock { $0.inode } }
}
