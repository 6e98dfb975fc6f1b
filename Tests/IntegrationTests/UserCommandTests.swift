import Foundation
import Testing

/// `incidentctl user add|list|passwd|remove` on a users file, as an operator runs them.
@Suite struct UserCommandTests {
    @Test func addListPasswdRemove() async throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("users").path
        let password = Data("correct horse\n".utf8)

        let added = try await CLI.incidentctl(
            "user", "add", "alice", "--role", "operator", "--file", file, "--password-stdin", "--cost", "4",
            stdin: password)
        #expect(added.status == 0, "\(added.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("\nalice:operator:$2b$04$"))
        #expect(!text.contains("correct horse"))
        var info = stat()
        stat(file, &info)
        #expect(info.st_mode & 0o777 == 0o640)

        let again = try await CLI.incidentctl(
            "user", "add", "alice", "--role", "viewer", "--file", file, "--password-stdin", "--cost", "4",
            stdin: password)
        #expect(again.status == 1)
        #expect(again.stderr.contains("--update"))
        let updated = try await CLI.incidentctl(
            "user", "add", "alice", "--role", "viewer", "--update", "--file", file, "--password-stdin", "--cost", "4",
            stdin: password)
        #expect(updated.status == 0, "\(updated.stderr)")
        await #expect(
            try CLI.incidentctl(
                "user", "add", "bob", "--role", "reporter", "--file", file, "--password-stdin", "--cost", "4",
                stdin: Data("pw\n".utf8)
            ).status == 0)

        let listed = try await CLI.incidentctl("user", "list", "--file", file)
        #expect(listed.status == 0)
        #expect(listed.stdout == "NAME   ROLE\nalice  viewer\nbob    reporter\n")
        let json = try await CLI.incidentctl("user", "list", "--file", file, "--json")
        let rows = try #require(try CLI.json(json.stdout) as? [[String: String]])
        #expect(rows == [["name": "alice", "role": "viewer"], ["name": "bob", "role": "reporter"]])

        let before = try String(contentsOfFile: file, encoding: .utf8)
        let passwd = try await CLI.incidentctl(
            "user", "passwd", "bob", "--file", file, "--password-stdin", "--cost", "4", stdin: Data("new\n".utf8))
        #expect(passwd.status == 0, "\(passwd.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) != before)

        let removed = try await CLI.incidentctl("user", "remove", "alice", "--file", file)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try await CLI.incidentctl("user", "list", "--file", file).stdout == "NAME  ROLE\nbob   reporter\n")
        #expect(try await CLI.incidentctl("user", "remove", "alice", "--file", file).status == 1)
    }

    @Test func badInputIsRefused() async throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("users").path
        func add(_ name: String, role: String = "viewer", password: String) async throws -> CLI.Output {
            try await CLI.incidentctl(
                "user", "add", name, "--role", role, "--file", file, "--password-stdin", "--cost", "4",
                stdin: Data(password.utf8))
        }
        #expect(try await add("al ice", password: "pw\n").status == 2)
        #expect(try await add("alice", role: "admin", password: "pw\n").status == 2)
        let empty = try await add("alice", password: "\n")
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("empty"))
        let long = try await add("alice", password: String(repeating: "x", count: 73) + "\n")
        #expect(long.status == 1)
        #expect(long.stderr.contains("72"))
        #expect(!FileManager.default.fileExists(atPath: file))
        // Without a terminal and without --password-stdin there is nowhere to ask.
        let noTerminal = try await CLI.incidentctl("user", "add", "alice", "--role", "viewer", "--file", file)
        #expect(noTerminal.status == 1)
        #expect(noTerminal.stderr.contains("--password-stdin"))
        #expect(try await CLI.incidentctl("user", "list", "--file", file).stdout == "no users\n")
    }

    @Test func theConfigNamesTheFile() async throws {
        let dir = try CLI.temporaryDirectory()
        let config = dir.appendingPathComponent("incidentd.yaml").path
        try "rules: [r]\nhttp:\n  auth:\n    users_file: web-users\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let added = try await CLI.incidentctl(
            "--config", config, "user", "add", "carol", "--role", "reporter", "--password-stdin", "--cost", "4",
            stdin: Data("pw\n".utf8))
        #expect(added.status == 0, "\(added.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("web-users").path))
        #expect(try await CLI.incidentctl("user", "list", "--config", config).stdout.contains("carol"))
    }
}
