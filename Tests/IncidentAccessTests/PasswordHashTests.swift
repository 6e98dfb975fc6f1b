import Testing

@testable import IncidentAccess

@Suite struct PasswordHashTests {
    @Test func verifiesTheRightPasswordOnly() {
        #expect(PasswordHash.verify("secret", hash: Hashes.secret))
        #expect(!PasswordHash.verify("Secret", hash: Hashes.secret))
        #expect(!PasswordHash.verify("", hash: Hashes.secret))
        #expect(Hashes.secret.hasPrefix("$2b$04$"))
        #expect(PasswordHash.isWellFormed(Hashes.secret))
    }

    @Test func twoYIsReadAsTwoB() {
        let php = "$2y$" + Hashes.secret.dropFirst(4)
        #expect(PasswordHash.verify("secret", hash: php))
    }

    @Test(arguments: [
        "", "$", "$2b$", "$2b$04$", "$2b$04$short", "$2b$4$" + String(repeating: "a", count: 54),
        "$2b$99$" + String(repeating: "a", count: 53), "$2b$03$" + String(repeating: "a", count: 53),
        "$2b$31$" + String(repeating: "a", count: 53), "$2c$04$" + String(repeating: "a", count: 53),
        "$2b$04$" + String(repeating: "!", count: 53), "$2b$04$" + String(repeating: "a", count: 54),
        "$2b$04$" + String(repeating: "é", count: 53), "$2b$ab$" + String(repeating: "a", count: 53),
        "\u{0}\u{0}\u{0}", String(repeating: "$", count: 60),
    ])
    func malformedHashesAreFalseNeverATrap(_ hash: String) {
        #expect(!PasswordHash.verify("secret", hash: hash))
    }

    @Test func passwordRules() throws {
        try PasswordHash.check("x")
        try PasswordHash.check(String(repeating: "x", count: 72))
        try PasswordHash.check(String(repeating: "é", count: 36))
        #expect(throws: PasswordError.self) { try PasswordHash.check("") }
        #expect(throws: PasswordError.self) { try PasswordHash.check(String(repeating: "x", count: 73)) }
        #expect(throws: PasswordError.self) { try PasswordHash.check(String(repeating: "é", count: 37)) }
        #expect(throws: PasswordError.self) { try PasswordHash.check("a\u{0}b") }
    }

    @Test func aLongPasswordsPrefixSignsNobodyIn() {
        let password = String(repeating: "x", count: 72)
        let hash = PasswordHash.make(password, cost: 4)
        #expect(PasswordHash.verify(password, hash: hash))
        #expect(!PasswordHash.verify(password + "more", hash: hash))
        #expect(!PasswordHash.verify("a\u{0}b", hash: PasswordHash.make("a", cost: 4)))
    }

    @Test func costIsRead() {
        #expect(PasswordHash.cost(of: Hashes.secret) == 4)
        #expect(PasswordHash.cost(of: "$2b$1") == nil)
    }
}
