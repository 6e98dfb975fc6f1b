#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

extension Timestamp {
    /// The wall clock now, to the microsecond. Only drivers (the daemon, the CLI) read it; the engine and the
    /// rules are given time.
    public static func wallClock() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }
}
