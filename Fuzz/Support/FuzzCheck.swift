import Foundation
import IncidentCore

/// Property checks for fuzz targets. A violated property is reported as a crash (a trap), because that is what
/// libFuzzer saves and minimizes; the message says which property failed.
public enum FuzzCheck {
    /// The times a decoder may hand the engine: years 0001 to 9999, what RFC 3339 can write.
    public static let validTimes: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    /// Known bug classes that are being fixed elsewhere, named in `FUZZ_IGNORE_KNOWN` (comma-separated) to keep
    /// fuzzing past them meanwhile. `time-range`: decoders and `Timestamp(rfc3339:)` let through times outside
    /// 0001..9999, which trap in Timestamp arithmetic and rendering downstream.
    static let ignoredKnown = Set(
        (ProcessInfo.processInfo.environment["FUZZ_IGNORE_KNOWN"] ?? "").split(separator: ",").map(String.init))

    public static func require(
        _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #file,
        line: UInt = #line
    ) {
        if !condition() { fatalError("fuzz property violated: \(message())", file: file, line: line) }
    }

    /// A violation of the known bug class `name`: a crash, unless `FUZZ_IGNORE_KNOWN` names it.
    public static func known(
        _ name: String, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line
    ) {
        guard !ignoredKnown.contains(name) else { return }
        fatalError("fuzz property violated (known: \(name)): \(message())", file: file, line: line)
    }

    /// A time a decoder returned must be one RFC 3339 can write and read back.
    public static func requireValid(_ time: Timestamp?, _ what: @autoclosure () -> String) {
        guard let time, !validTimes.contains(time.microseconds) else { return }
        known("time-range", "\(what()) is \(time.microseconds) µs, outside 0001..9999")
    }
}
