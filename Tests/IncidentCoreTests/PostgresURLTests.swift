import IncidentCore
import Testing

@Suite struct PostgresURLTests {
    func parsed(_ text: String) throws -> PostgresURL {
        try PostgresURL.parse(text).get()
    }

    func problem(_ text: String) -> String? {
        if case .failure(let error) = PostgresURL.parse(text) { return error.message }
        return nil
    }

    @Test func aTypicalURLNamesUserHostPortAndDatabase() throws {
        let url = try parsed("postgres://incidentd@db1:5433/alerts")
        #expect(url == PostgresURL(user: "incidentd", host: "db1", port: 5433, database: "alerts"))
        #expect(url.display == "postgres://incidentd@db1:5433/alerts")
        #expect(url.socketPath == nil)
    }

    @Test func defaultsAreLibpqs() throws {
        let url = try parsed("postgresql://ops@db1")
        #expect(url.port == 5432)
        #expect(url.database == "ops", "the database defaults to the user's name")
        #expect(url.tls == .prefer)
    }

    @Test func thePasswordIsReadButNeverShown() throws {
        let url = try parsed("postgres://ops:s%40cret@db1/inc")
        #expect(url.password == "s@cret")
        #expect(!url.display.contains("cret"))
    }

    @Test func aSocketDirectoryReplacesTheHost() throws {
        let url = try parsed("postgres://incidentd@/incidentd?host=/run/postgresql")
        #expect(url.host == nil)
        #expect(url.socketPath == "/run/postgresql/.s.PGSQL.5432")
    }

    @Test func anIPv6AddressLosesItsBrackets() throws {
        let url = try parsed("postgres://ops@[::1]:6432/inc?sslmode=verify-full")
        #expect(url.host == "::1")
        #expect(url.tls == .verifyFull)
        #expect(url.display == "postgres://ops@[::1]:6432/inc")
    }

    @Test(arguments: [
        ("", "empty"), ("mysql://a@b/c", "scheme"), ("postgres://db1/inc", "no user"),
        ("postgres://a@b:0/c", "port 0"), ("postgres://a@b/c/d", "'/'"), ("postgres://a@b/c?sslmode=maybe", "sslmode"),
        ("postgres://a@b/c?host=relative", "socket directory"), ("postgres://a@b/c?options=-c%20x", "not supported"),
        ("postgres://a%0A@b/c", "control character"), ("postgres://a@b/c d", "space"),
        ("postgres://a@/c", "no host"), ("postgres://a@/c?host=/run/%C2%85x", "control character"),
        ("postgres://a@b/c?sslmode=%0Adisable", "control character"),
    ])
    func badURLsAreRefusedWithAReason(_ text: String, _ reason: String) {
        let message = problem(text)
        #expect(message?.contains(reason) == true, "\(text): \(message ?? "parsed")")
    }

    @Test func aHugeURLIsRefused() {
        #expect(problem("postgres://a@b/" + String(repeating: "x", count: 5000))?.contains("longer") == true)
    }
}
