import Foundation
import IncidentCore
import Synchronization

@testable import IncidentAccess

/// A clock tests move by hand.
final class TestClock: Sendable {
    let time = Mutex(Timestamp(microseconds: 1_000_000_000_000_000))

    var now: @Sendable () -> Timestamp { { [self] in time.withLock { $0 } } }

    func advance(_ duration: Duration) { time.withLock { $0 = $0 + duration } }
}

/// Hashes at cost 4, made once: bcrypt is slow by design, even at its lowest cost in a debug build.
enum Hashes {
    static let secret = PasswordHash.make("secret", cost: 4)
    static let other = PasswordHash.make("other", cost: 4)
}

/// A fresh directory under the temporary directory.
func scratchDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "incidentd-access-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The file's mode bits.
func mode(of path: String) -> mode_t {
    var info = stat()
    stat(path, &info)
    return info.st_mode & 0o7777
}

/// Sets a file's modification time, so a rewrite within one clock tick still looks changed.
func setModified(_ path: String, seconds: Int) {
    var times = [timeval(tv_sec: seconds, tv_usec: 0), timeval(tv_sec: seconds, tv_usec: 0)]
    utimes(path, &times)
}
