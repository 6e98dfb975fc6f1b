import IncidentCore
import Testing

@testable import IncidentAccess

@Suite struct TrustedProxiesTests {
    @Test(arguments: [
        ("127.0.0.1", true), ("10.1.2.3", true), ("11.0.0.1", false), ("192.168.1.77", true), ("192.168.2.1", false),
        ("::1", true), ("::2", false), ("fd12:3456::1", true), ("fe80::1", false), ("::ffff:127.0.0.1", true),
        ("::ffff:10.200.0.1", true), ("::ffff:11.0.0.1", false), ("localhost", false), ("", false),
        ("10.0.0.1:80", false), ("fd00::1%eth0", true),
    ])
    func containsAddresses(_ address: String, _ expected: Bool) throws {
        let proxies = try TrustedProxies(["127.0.0.1", "10.0.0.0/8", "192.168.1.0/24", "::1", "fd00::/8"])
        #expect(proxies.contains(address) == expected)
    }

    @Test func mappedEntriesAreIPv4() throws {
        let proxies = try TrustedProxies(["::ffff:10.0.0.0/104"])
        #expect(proxies.contains("10.9.9.9"))
        #expect(proxies.contains("::ffff:10.9.9.9"))
        #expect(!proxies.contains("11.0.0.1"))
        #expect(proxies.ranges.first?.description == "10.0.0.0/8")
    }

    @Test func zeroPrefixMatchesTheWholeFamily() throws {
        let proxies = try TrustedProxies(["0.0.0.0/0"])
        #expect(proxies.contains("203.0.113.9"))
        #expect(!proxies.contains("2001:db8::1"))
    }

    @Test(arguments: [
        "proxy.example.org", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.1/8", "::1/129",
        "fd00::1/8", " 10.0.0.1", "10.0.0.0/+8", "", "/8", "10.0.0.0/0008",
    ])
    func refusesBadEntries(_ entry: String) {
        #expect(throws: AddressRangeError.self) { try TrustedProxies([entry]) }
    }

    @Test func hostBitsSuggestTheNetwork() {
        let error = #expect(throws: AddressRangeError.self) { try TrustedProxies(["10.1.2.3/8"]) }
        #expect(error?.description.contains("did you mean 10.0.0.0/8?") == true)
        #expect((try? AddressRange(parsing: "fd00::/8").description) == "fd00::/8")
    }
}
