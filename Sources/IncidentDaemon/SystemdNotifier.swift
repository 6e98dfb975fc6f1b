import CSystemd
import Foundation

/// Tells systemd what the daemon is doing (`sd_notify`); a no-op when `NOTIFY_SOCKET` is not set.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Sends one notification; each line is `KEY=value`.
    public func send(_ lines: String...) {
        _ = sd_notify(0, lines.joined(separator: "\n"))
    }

    public func ready(status: String) { send("READY=1", "STATUS=\(status)") }

    public func status(_ text: String) { send("STATUS=\(text)") }

    public func stopping() { send("STOPPING=1", "STATUS=stopping: draining queued events") }

    /// `RELOADING=1` with the monotonic time systemd expects alongside it.
    public func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        send("RELOADING=1", "MONOTONIC_USEC=\(usec)", "STATUS=reloading rules")
    }
}
