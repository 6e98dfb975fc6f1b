import Foundation
import IncidentCore
import Testing

/// The parts of an Alertmanager 0.25 webhook the fingerprint tests compare against.
private struct Webhook: Decodable {
    struct Alert: Decodable {
        var labels: [String: String]
        var fingerprint: String
    }
    var alerts: [Alert]
}

/// The captured webhooks, by file name; an empty list if the bundle lacks them (a separate test catches that).
private func alertmanagerFixtures() -> [String] {
    guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.appending(path: "alertmanager"),
        let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path)
    else { return [] }
    return names.filter { $0.hasSuffix(".json") }.sorted()
}

private func loadWebhook(_ name: String) throws -> Webhook {
    let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    let data = try Data(contentsOf: dir.appending(path: "alertmanager").appending(path: name))
    return try JSONDecoder().decode(Webhook.self, from: data)
}

@Suite("Fingerprint")
struct FingerprintTests {
    @Test("every captured Alertmanager webhook is in the bundle")
    func fixturesPresent() {
        // Guards the parameterised test below: with no files it would pass vacuously.
        #expect(alertmanagerFixtures().count == 15)
    }

    @Test("equals the fingerprint Alertmanager put in its webhook", arguments: alertmanagerFixtures())
    func matchesAlertmanager(file: String) throws {
        let webhook = try loadWebhook(file)
        try #require(!webhook.alerts.isEmpty)
        for alert in webhook.alerts {
            #expect(Labels(alert.labels).fingerprint.description == alert.fingerprint, "\(alert.labels)")
        }
    }

    @Test("the empty label set hashes to the FNV-1a offset basis")
    func emptyLabelSet() {
        let fingerprint = Labels().fingerprint
        #expect(fingerprint.rawValue == 14_695_981_039_346_656_037)
        #expect(fingerprint.description == "cbf29ce484222325")
    }

    /// Reference values computed independently (Python FNV-1a over `name 0xFF value 0xFF`).
    @Test(
        "matches hand-computed FNV-1a values",
        arguments: [
            (["a": "b"], "d2b371819297f98a"),
            (["a": "bc"], "a0a3542c19b900ab"),
            (["ab": "c"], "20ba9b3025a8b421"),
            (["alertname": "Watchdog"], "003b0a0f7d3fa569"),
        ])
    func referenceValues(labels: [String: String], hex: String) {
        #expect(Labels(labels).fingerprint.description == hex)
    }

    @Test("the separator keeps a value from sliding into the name")
    func separatorMatters() {
        #expect(Labels(["a": "bc"]).fingerprint != Labels(["ab": "c"]).fingerprint)
        #expect(Labels(["a": "", "b": ""]).fingerprint != Labels(["ab": ""]).fingerprint)
    }

    @Test("does not depend on the order labels were added in")
    func orderIndependent() {
        let pairs = [("severity", "critical"), ("alertname", "DiskFull"), ("service", "db"), ("instance", "db-1:9100")]
        let forward = Labels(pairs)
        let backward = Labels(pairs.reversed())
        var oneByOne = Labels()
        for (name, value) in [pairs[2], pairs[0], pairs[3], pairs[1]] { oneByOne[name] = value }
        #expect(forward.fingerprint == backward.fingerprint)
        #expect(forward.fingerprint == oneByOne.fingerprint)
        #expect(forward.fingerprint.description == "2514e371eeb5991e")
    }

    @Test(
        "hex text round-trips, zero-padded to 16 digits",
        arguments: ["0000000000000000", "0000000000000001", "0b2278a76cf486ee", "cbf29ce484222325", "ffffffffffffffff"])
    func hexRoundTrip(hex: String) throws {
        let fingerprint = try #require(Fingerprint(hex: hex))
        #expect(fingerprint.description == hex)
        #expect(Fingerprint(rawValue: fingerprint.rawValue) == fingerprint)
    }

    @Test("hex text is what the radix formula wrote before the digits were appended to a buffer")
    func hexAgreesWithTheRadixFormula() {
        var random = SystemRandomNumberGenerator()
        let values: [UInt64] =
            [0, 1, 0xF, 0x10, .max, 1 << 63] + (0..<2_000).map { _ in random.next() >> (random.next() % 64) }
        for value in values {
            let digits = String(value, radix: 16)
            let reference = String(repeating: "0", count: 16 - digits.utf8.count) + digits
            let fingerprint = Fingerprint(rawValue: value)
            #expect(fingerprint.description == reference)
            var appended = Array("x".utf8)
            fingerprint.appendHex(to: &appended)
            #expect(appended == Array(("x" + reference).utf8))
        }
    }

    @Test("hex parsing accepts fewer digits and upper case")
    func hexLenient() {
        #expect(Fingerprint(hex: "1")?.rawValue == 1)
        #expect(Fingerprint(hex: "B2278A76CF486EE")?.description == "0b2278a76cf486ee")
    }

    @Test(
        "hex parsing rejects what is not 1 to 16 hex digits",
        arguments: ["", "10000000000000000", "xyz", "0x1f", "+1f", "-0", " 1f", "1f ", "1g"])
    func hexRejects(text: String) {
        #expect(Fingerprint(hex: text) == nil)
    }

    @Test("hex parsing takes the language the Character-based parser took, on hostile text too")
    func hexAgreesWithTheEarlierParser() {
        // The parser before the byte loop, word for word.
        func reference(_ hex: String) -> UInt64? {
            guard !hex.isEmpty, hex.utf8.count <= 16, hex.allSatisfy(\.isHexDigit),
                let value = UInt64(hex, radix: 16)
            else { return nil }
            return value
        }
        var texts = ["0", "f", "F", "00000000000000000", "fffffffffffffffff", "１", "ｆ", "٣", "é", "1\u{301}", "1\0"]
        for byte in UInt8(0)...UInt8(127) { texts.append(String(UnicodeScalar(byte))) }
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEFgG+-x ".unicodeScalars)
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...18, using: &random)
            texts.append(
                String(String.UnicodeScalarView((0..<count).map { _ in alphabet.randomElement(using: &random)! })))
        }
        for text in texts {
            #expect(Fingerprint(hex: text)?.rawValue == reference(text), "\(text.debugDescription)")
        }
    }

    @Test("orders by raw value")
    func ordering() {
        #expect(Fingerprint(rawValue: 1) < Fingerprint(rawValue: 2))
        #expect(!(Fingerprint(rawValue: 2) < Fingerprint(rawValue: 2)))
    }
}
