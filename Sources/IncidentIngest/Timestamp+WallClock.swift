import Glibc
import IncidentCore

extension Timestamp {
    /// The current wall-clock time; the default `now` of the sources, replaced by a fixed clock in tests.
    @usableFromInline @Sendable static func wallClock() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}
