import Foundation
import IncidentCore
import IncidentIngest
import Testing

/// When the tests' payloads arrive: 2026-11-22T06:20:00Z, a little after the captured webhooks were sent.
let received = Timestamp(microseconds: 1_795_328_400_000_000)

/// 2026-11-22T06:18:48Z, the second the manual Alertmanager samples were captured in.
let captureSecond: Int64 = 1_795_328_328_000_000

let goZeroTime = "0001-01-01T00:00:00Z"

func fixtureURL(_ path: String) throws -> URL {
    try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appending(path: path)
}

func fixtureData(_ path: String) throws -> Data {
    try Data(contentsOf: fixtureURL(path))
}

/// The JSON files in a fixture folder, by name; empty if the folder is missing (tests guard the count).
func fixtureNames(_ folder: String) -> [String] {
    guard let dir = try? fixtureURL(folder), let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path)
    else { return [] }
    return names.filter { $0.hasSuffix(".json") }.sorted()
}

func decode(
    _ json: String, decoder: PayloadDecoder = PayloadDecoder(), format: PayloadFormat? = nil,
    source: EventSource = .spool
) throws(PayloadError) -> [Event] {
    try decoder.decode(Data(json.utf8), format: format, source: source, receivedAt: received)
}

/// The error a payload is refused with, or nil when it decodes.
func refusal(_ data: Data, decoder: PayloadDecoder = PayloadDecoder(), format: PayloadFormat? = nil) -> PayloadError? {
    do {
        _ = try decoder.decode(data, format: format, source: .socket, receivedAt: received)
        return nil
    } catch {
        return error
    }
}

func refusal(_ json: String, decoder: PayloadDecoder = PayloadDecoder(), format: PayloadFormat? = nil) -> PayloadError?
{
    refusal(Data(json.utf8), decoder: decoder, format: format)
}

/// The format the decoder would pick for a payload on its own.
func detectedFormat(_ data: Data) throws -> PayloadFormat {
    try PayloadDecoder.detect(JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
}

func detectedFormat(_ json: String) throws -> PayloadFormat {
    try detectedFormat(Data(json.utf8))
}

/// An Alertmanager/Grafana webhook as the sender wrote it, read independently of the decoder under test.
struct Webhook: Decodable {
    struct Alert: Decodable {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String
        var generatorURL: String
        var fingerprint: String
    }
    var version: String
    var status: String
    var alerts: [Alert]
}
