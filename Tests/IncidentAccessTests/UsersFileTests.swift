import Foundation
import Testing

@testable import IncidentAccess

@Suite struct UsersFileTests {
    @Test func parsesLinesCommentsAndBlankLines() throws {
        let text = """
            # a comment

            alice:operator:\(Hashes.secret)
              bob@example.org:viewer:\(Hashes.other)\r
            carol.x_y-z:reporter:\(Hashes.secret)
            """
        let accounts = try UsersFile.parse(text)
        #expect(accounts.map(\.name) == ["alice", "bob@example.org", "carol.x_y-z"])
        #expect(accounts.map(\.role) == [.operator, .viewer, .reporter])
        #expect(accounts[1].passwordHash == Hashes.other)
    }

    @Test(arguments: [
        ("alice:operator", 1, "bad-line"),
        ("# ok\nalice:operator:x:y", 2, "bad-line"),
        ("\n\nal ice:viewer:\(Hashes.secret)", 3, "bad-name"),
        (":viewer:\(Hashes.secret)", 1, "bad-name"),
        ("\(String(repeating: "a", count: 65)):viewer:\(Hashes.secret)", 1, "bad-name"),
        ("alice:viewer:\(Hashes.secret)\nalice:operator:\(Hashes.secret)", 2, "duplicate-user"),
        ("alice:admin:\(Hashes.secret)", 1, "bad-role"),
        ("alice:Viewer:\(Hashes.secret)", 1, "bad-role"),
        ("alice:viewer:plaintext", 1, "bad-hash"),
        ("alice:viewer:\(Hashes.secret.dropLast())", 1, "bad-hash"),
        ("alice:viewer:$2x$04$" + String(Hashes.secret.dropFirst(7)), 1, "bad-hash"),
        ("alice:viewer:$2b$31$" + String(Hashes.secret.dropFirst(7)), 1, "bad-hash"),
    ])
    func refusesBadLinesNamingTheLine(_ text: String, _ line: Int, _ code: String) {
        let error = #expect(throws: UsersFileError.self) { try UsersFile.parse(text) }
        #expect(error?.line == line)
        #expect(error?.code == code)
        #expect(error?.description.hasPrefix("\(line): ") == true)
    }

    @Test func adminIsExplained() {
        let error = #expect(throws: UsersFileError.self) { try UsersFile.parse("root:admin:\(Hashes.secret)") }
        #expect(error?.message.contains("control socket") == true)
        #expect(error?.message.contains("viewer, operator, reporter") == true)
    }

    @Test func renderRoundTrips() throws {
        let accounts = [
            UserAccount(name: "alice", role: .operator, passwordHash: Hashes.secret),
            UserAccount(name: "bob", role: .reporter, passwordHash: Hashes.other),
        ]
        let text = UsersFile.render(accounts)
        #expect(text.hasPrefix("# "))
        #expect(try UsersFile.parse(text) == accounts)
        #expect(try UsersFile.parse(UsersFile.render([])) == [])
    }

    @Test func missingFileIsEmpty() throws {
        let dir = try scratchDirectory()
        #expect(try UsersFile.load(path: dir + "/users") == [])
    }

    @Test func loadNamesTheFile() throws {
        let dir = try scratchDirectory()
        try "bad\n".write(toFile: dir + "/users", atomically: false, encoding: .utf8)
        let error = #expect(throws: UsersFileError.self) { try UsersFile.load(path: dir + "/users") }
        #expect(error?.description.hasPrefix(dir + "/users:1: ") == true)
    }

    @Test func saveWritesMode0640AndLeavesNoTemporaryFile() throws {
        let dir = try scratchDirectory()
        let path = dir + "/users"
        let accounts = [UserAccount(name: "alice", role: .viewer, passwordHash: Hashes.secret)]
        try UsersFile.save(accounts, path: path)
        #expect(mode(of: path) == 0o640)
        #expect(try UsersFile.load(path: path) == accounts)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["users"])
    }

    @Test func saveKeepsAnExistingFilesModeAndReplacesTheInode() throws {
        let dir = try scratchDirectory()
        let path = dir + "/users"
        try UsersFile.save([], path: path)
        chmod(path, 0o600)
        var before = stat()
        stat(path, &before)
        let accounts = [UserAccount(name: "bob", role: .operator, passwordHash: Hashes.other)]
        try UsersFile.save(accounts, path: path)
        var after = stat()
        stat(path, &after)
        #expect(mode(of: path) == 0o600)
        // A new inode: a reader holding the old file open sees the old file whole, never a half-written one.
        #expect(before.st_ino != after.st_ino)
        #expect(try UsersFile.load(path: path) == accounts)
    }

    @Test func saveIntoAMissingDirectoryFailsCleanly() throws {
        let dir = try scratchDirectory()
        #expect(throws: UsersFileError.self) {
            try UsersFile.save([], path: dir + "/nowhere/users")
        }
    }
}
