import Foundation
import Testing

@testable import IncidentAccess

@Suite struct UserDirectoryTests {
    @Test func authenticatesAndRereadsTheFileWhenItChanges() throws {
        let dir = try scratchDirectory()
        let path = dir + "/users"
        let directory = UserDirectory(path: path, defaultCost: 4)
        #expect(directory.authenticate(name: "alice", password: "secret") == nil)

        try UsersFile.save([UserAccount(name: "alice", role: .operator, passwordHash: Hashes.secret)], path: path)
        #expect(directory.authenticate(name: "alice", password: "secret")?.role == .operator)
        #expect(directory.authenticate(name: "alice", password: "wrong") == nil)
        #expect(directory.authenticate(name: "bob", password: "secret") == nil)

        // Rewritten in place, same size, same second: the explicit mtime makes the change visible.
        let text = UsersFile.render([UserAccount(name: "alice", role: .reporter, passwordHash: Hashes.secret)])
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        setModified(path, seconds: 2_000_000_000)
        #expect(directory.account(named: "alice")?.role == .reporter)

        try UsersFile.save([UserAccount(name: "bob", role: .viewer, passwordHash: Hashes.other)], path: path)
        #expect(directory.account(named: "alice") == nil)
        #expect(directory.authenticate(name: "bob", password: "other")?.name == "bob")
        #expect(directory.problem == nil)

        try FileManager.default.removeItem(atPath: path)
        #expect(directory.accounts.isEmpty)
    }

    @Test func aBrokenFileKeepsTheLastGoodList() throws {
        let dir = try scratchDirectory()
        let path = dir + "/users"
        try UsersFile.save([UserAccount(name: "alice", role: .viewer, passwordHash: Hashes.secret)], path: path)
        let directory = UserDirectory(path: path, defaultCost: 4)
        #expect(directory.account(named: "alice") != nil)

        try "alice:viewer:\(Hashes.secret)\nmallory:admin:\(Hashes.secret)\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(directory.account(named: "alice") != nil)
        #expect(directory.account(named: "mallory") == nil)
        let problem = try #require(directory.problem)
        #expect(problem.contains(path + ":2:"))
        #expect(problem.contains("previous list"))

        try UsersFile.save([UserAccount(name: "carol", role: .viewer, passwordHash: Hashes.secret)], path: path)
        #expect(directory.problem == nil)
        #expect(directory.accounts.map(\.name) == ["carol"])
    }

    @Test func noPathMeansNoUsers() {
        let directory = UserDirectory(path: nil, defaultCost: 4)
        #expect(directory.authenticate(name: "alice", password: "secret") == nil)
        #expect(directory.problem == nil)
    }

    @Test func aHostileHashNeverSignsIn() throws {
        let dir = try scratchDirectory()
        let path = dir + "/users"
        // The shape of a bcrypt hash, but one no password produces.
        try "eve:viewer:$2b$04$\(String(repeating: ".", count: 53))\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let directory = UserDirectory(path: path, defaultCost: 4)
        #expect(directory.authenticate(name: "eve", password: "") == nil)
        #expect(directory.authenticate(name: "eve", password: "x") == nil)
    }
}
