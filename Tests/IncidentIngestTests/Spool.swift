import Foundation
import Glibc

/// A spool directory on disk, as writers and operators see it.
struct Spool: Sendable {
    let root: String

    func path(_ sub: String, _ name: String = "") -> String {
        name.isEmpty ? root + "/" + sub : root + "/" + sub + "/" + name
    }

    /// The names in a subdirectory, sorted; empty when it does not exist.
    func names(in sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(sub))) ?? []).sorted()
    }

    func exists(_ sub: String, _ name: String) -> Bool { FileManager.default.fileExists(atPath: path(sub, name)) }

    func contents(_ sub: String, _ name: String) -> String? {
        try? String(contentsOfFile: path(sub, name), encoding: .utf8)
    }

    /// Writes a file straight into a subdirectory, dated `age` ago (a file left from before the start).
    func place(_ name: String, _ data: Data, in sub: String = "new", age: Duration = .seconds(60)) throws {
        try FileManager.default.createDirectory(atPath: path(sub), withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path(sub, name)))
        let date = Date(timeIntervalSinceNow: -Double(age.components.seconds))
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path(sub, name))
    }

    /// Delivers a file the Maildir way: written in tmp/, then renamed into new/.
    func drop(_ name: String, _ data: Data) throws {
        try data.write(to: URL(fileURLWithPath: path("tmp", name)))
        guard rename(path("tmp", name), path("new", name)) == 0 else {
            throw LineClient.Failure(description: "rename: \(String(cString: strerror(errno)))")
        }
    }
}
