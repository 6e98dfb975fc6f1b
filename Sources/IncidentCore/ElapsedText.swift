/// Human durations for tables: the two largest units, `4m12s`, `2h5m`, `3d4h`, `45s`.
public enum ElapsedText {
    /// Rounds to whole seconds; negative values (clock skew) show as `0s`.
    public static func format(seconds: Double) -> String {
        var rest = max(0, Int64(seconds.rounded()))
        if rest == 0 { return "0s" }
        var parts: [String] = []
        for (size, unit) in [(Int64(86_400), "d"), (3600, "h"), (60, "m"), (1, "s")] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
            if parts.count == 2 { break }
        }
        // Empty units are skipped (3605 s is `1h5s`); two units are precision enough for a table.
        return parts.joined()
    }

    /// From one time to another: `format(seconds:)` of the difference.
    public static func between(_ start: Timestamp, _ end: Timestamp) -> String {
        format(seconds: (end - start).seconds)
    }

    /// How long ago `time` was: `5m ago`, `just now` within a second, `in 3m` for a time ahead of `now`.
    public static func age(of time: Timestamp, now: Timestamp) -> String {
        let seconds = (now - time).seconds
        if abs(seconds) < 1 { return "just now" }
        return seconds > 0 ? "\(format(seconds: seconds)) ago" : "in \(format(seconds: -seconds))"
    }
}

extension Duration {
    /// Seconds as a `Double`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
