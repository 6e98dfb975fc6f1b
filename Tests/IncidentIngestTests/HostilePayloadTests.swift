import Foundation
import IncidentCore
import IncidentIngest
import Testing

/// One payload the decoder must refuse, the code it must give, and words the message must contain.
struct Hostile: Sendable, CustomTestStringConvertible {
    var name: String
    var data: Data
    var decoder = PayloadDecoder()
    var format: PayloadFormat? = nil
    var code: String
    var says: String

    init(
        _ name: String, _ data: Data, decoder: PayloadDecoder = PayloadDecoder(), format: PayloadFormat? = nil,
        code: String, says: String
    ) {
        (self.name, self.data, self.decoder, self.format, self.code, self.says) = (
            name, data, decoder, format, code, says
        )
    }

    init(
        _ name: String, _ json: String, decoder: PayloadDecoder = PayloadDecoder(), format: PayloadFormat? = nil,
        code: String, says: String
    ) {
        self.init(name, Data(json.utf8), decoder: decoder, format: format, code: code, says: says)
    }

    var testDescription: String { name }

    static func all() throws -> [Hostile] {
        let sample = try fixtureData("alertmanager/003-manual-firing-grouped3-HighLatency-api.json")
        let deep = 10_000
        return [
            Hostile("empty", Data(), code: "empty", says: "payload is empty"),
            Hostile("whitespace only", " \n\t\r\n  ", code: "empty", says: "payload is empty"),
            Hostile(
                "a real webhook cut in half", sample.prefix(sample.count / 2), code: "bad-json",
                says: "not valid JSON (truncated or malformed)"),
            Hostile(
                "invalid UTF-8 in a label",
                Data(#"{"labels":{"alertname":""#.utf8) + [0xC3, 0x28] + Data(#""}}"#.utf8), code: "not-utf8",
                says: "not valid UTF-8"),
            Hostile("a lone 0xFF byte", Data([0xFF]), code: "not-utf8", says: "not valid UTF-8"),
            Hostile("plain text", "disk full on db1", code: "bad-json", says: "not valid JSON"),
            Hostile(
                "an HTML error page", "<html><body><h1>502 Bad Gateway</h1></body></html>", code: "bad-json",
                says: "not valid JSON"),
            Hostile(
                "a JSON number", "42", code: "bad-shape", says: "must be a JSON object or an array of alert objects"),
            Hostile(
                "a JSON string", #""firing""#, code: "bad-shape",
                says: "must be a JSON object or an array of alert objects"),
            Hostile("JSON null", "null", code: "bad-shape", says: "must be a JSON object or an array of alert objects"),
            Hostile("JSON true", "true", code: "bad-shape", says: "must be a JSON object or an array of alert objects"),
            Hostile(
                "a number sent as a generic alert", "42", format: .generic, code: "bad-shape",
                says: "alert must be an object"),
            Hostile(
                "an object of unknown shape", #"{"hello":"world","count":3}"#, code: "unknown-format",
                says: "cannot tell the payload format"),
            Hostile(
                "a legacy Grafana dashboard alert (no alerts[])",
                #"{"dashboardId":1,"evalMatches":[{"value":93.5,"metric":"cpu"}],"ruleName":"CPU","state":"alerting","title":"[Alerting] CPU"}"#,
                code: "unknown-format", says: "cannot tell the payload format"),
            Hostile(
                "an alert with empty labels", #"{"labels":{},"annotations":{"summary":"x"}}"#, code: "no-labels",
                says: "alert.labels is missing or empty"),
            Hostile(
                "an alert with null labels", #"{"labels":null}"#, code: "no-labels",
                says: "alert.labels is missing or empty"),
            Hostile(
                "labels as an array", #"{"labels":["alertname","DiskFull"]}"#, code: "bad-shape",
                says: "alert.labels must be an object of strings"),
            Hostile(
                "a label value that is an object", #"{"labels":{"alertname":{"name":"DiskFull"}}}"#,
                code: "bad-label", says: "alert.labels.alertname must be a string"),
            Hostile(
                "a label value that is an array", #"{"labels":{"alertname":["a","b"]}}"#, code: "bad-label",
                says: "alert.labels.alertname must be a string"),
            Hostile(
                "an annotation value that is an object", #"{"labels":{"a":"1"},"annotations":{"summary":{}}}"#,
                code: "bad-label", says: "alert.annotations.summary must be a string"),
            Hostile(
                "annotations as a string", #"{"labels":{"a":"1"},"annotations":"disk full"}"#, code: "bad-shape",
                says: "alert.annotations must be an object of strings"),
            Hostile(
                "an empty label name", #"{"labels":{"":"x","a":"1"}}"#, code: "bad-label",
                says: "alert.labels has an empty label name"),
            Hostile(
                "a status Alertmanager does not have", #"{"labels":{"a":"1"},"status":"pending"}"#,
                code: "bad-status", says: "alert.status is 'pending'; use firing or resolved"),
            Hostile(
                "a status that is not a string", #"{"labels":{"a":"1"},"status":1}"#, code: "bad-status",
                says: "alert.status must be the string firing or resolved"),
            Hostile(
                "a startsAt that is not RFC 3339", #"{"labels":{"a":"1"},"startsAt":"22/11/2026 06:18"}"#,
                code: "bad-time", says: "alert.startsAt '22/11/2026 06:18' is not an RFC 3339 time"),
            Hostile(
                "a startsAt as epoch seconds", #"{"labels":{"a":"1"},"startsAt":1795328328}"#, code: "bad-time",
                says: "alert.startsAt must be an RFC 3339 string"),
            Hostile(
                "an endsAt on a day that does not exist", #"{"labels":{"a":"1"},"endsAt":"2026-02-30T00:00:00Z"}"#,
                code: "bad-time", says: "alert.endsAt '2026-02-30T00:00:00Z'"),
            Hostile(
                "more labels than maxLabels", #"{"labels":{"a":"1","b":"2","c":"3","d":"4"}}"#,
                decoder: PayloadDecoder(maxLabels: 3), code: "too-many-labels",
                says: "alert.labels has 4 labels, more than limits.max_labels (3)"),
            Hostile(
                "a label value longer than maxLabelValueBytes", #"{"labels":{"a":"1","host":"ééééééééé"}}"#,
                decoder: PayloadDecoder(maxLabelValueBytes: 16), code: "label-too-long",
                says: "alert.labels.host is 18 bytes, more than limits.max_label_value_bytes (16)"),
            Hostile(
                "a payload over maxPayloadBytes", #"{"labels":{"alertname":"DiskFull","host":"db1"}}"#,
                decoder: PayloadDecoder(maxPayloadBytes: 32), code: "too-large",
                says: "payload is 48 bytes, more than limits.max_payload_bytes (32)"),
            Hostile(
                "a payload over maxPayloadBytes that is not even JSON", String(repeating: "x", count: 33),
                decoder: PayloadDecoder(maxPayloadBytes: 32), code: "too-large", says: "payload is 33 bytes"),
            Hostile(
                "10k levels of [ (unclosed)", String(repeating: "[", count: deep), code: "bad-json",
                says: "not valid JSON"),
            Hostile(
                "10k levels of [ ] (closed)",
                String(repeating: "[", count: deep) + String(repeating: "]", count: deep), code: "bad-json",
                says: "not valid JSON"),
            Hostile(
                "10k levels of nested objects",
                String(repeating: #"{"a":"#, count: deep) + "1" + String(repeating: "}", count: deep),
                code: "bad-json", says: "not valid JSON"),
            Hostile(
                "10k levels of [ inside an annotation",
                #"{"labels":{"a":"1"},"annotations":{"x":"# + String(repeating: "[", count: deep)
                    + String(repeating: "]", count: deep) + "}}", code: "bad-json", says: "not valid JSON"),
            Hostile("an empty array", "[]", code: "empty", says: "the array holds no alerts"),
            Hostile(
                "a webhook whose alerts is not an array", #"{"version":"4","alerts":{"a":1}}"#, format: .alertmanager,
                code: "bad-shape", says: "a alertmanager webhook needs an 'alerts' array"),
            Hostile(
                "a webhook whose second alert has a bad status",
                #"{"version":"4","alerts":[{"labels":{"a":"1"}},{"labels":{"a":"2"},"status":"active"}]}"#,
                code: "bad-status", says: "alerts[1].status is 'active'"),
            Hostile(
                "a Grafana webhook whose alert has no labels",
                #"{"orgId":1,"state":"alerting","alerts":[{"labels":{},"status":"firing"}]}"#, code: "no-labels",
                says: "alerts[0].labels is missing or empty"),
            Hostile(
                "PagerDuty with an unknown event_action",
                #"{"routing_key":"R","event_action":"snooze","dedup_key":"k"}"#, code: "bad-shape",
                says: "event_action 'snooze' is not trigger, acknowledge or resolve"),
            Hostile(
                "PagerDuty with a numeric event_action", #"{"routing_key":"R","event_action":1}"#, code: "bad-shape",
                says: "event_action must be trigger, acknowledge or resolve"),
            Hostile(
                "PagerDuty resolve without dedup_key", #"{"routing_key":"R","event_action":"resolve"}"#,
                code: "bad-shape", says: "a PagerDuty resolve needs the dedup_key of the alert it concerns"),
            Hostile(
                "PagerDuty acknowledge with an empty dedup_key",
                #"{"routing_key":"R","event_action":"acknowledge","dedup_key":""}"#, code: "acknowledge-refused",
                says: "sending alerts gives no right to acknowledge"),
            Hostile(
                "PagerDuty acknowledge on an ingest path",
                #"{"routing_key":"R","event_action":"acknowledge","dedup_key":"INC-1"}"#, code: "acknowledge-refused",
                says: "not taken on this path"),
            Hostile(
                "PagerDuty trigger without summary",
                #"{"routing_key":"R","event_action":"trigger","payload":{"source":"web1","severity":"error"}}"#,
                code: "bad-shape", says: "a PagerDuty trigger needs payload.summary"),
            Hostile(
                "PagerDuty trigger with nothing to identify it",
                #"{"routing_key":"R","event_action":"trigger","payload":{"summary":"something"}}"#,
                code: "no-labels", says: "neither payload.source/severity nor dedup_key"),
            Hostile(
                "PagerDuty trigger with a bad timestamp",
                #"{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","timestamp":"now"}}"#,
                code: "bad-time", says: "payload.timestamp 'now'"),
            Hostile(
                "a journal entry without MESSAGE", #"{"__REALTIME_TIMESTAMP":"1795328328000000","_HOSTNAME":"h"}"#,
                code: "no-message", says: "no MESSAGE field"),
            Hostile(
                "a journal entry with a bad __REALTIME_TIMESTAMP", #"{"MESSAGE":"m","__REALTIME_TIMESTAMP":"soon"}"#,
                code: "bad-time", says: "__REALTIME_TIMESTAMP 'soon'"),
            Hostile(
                "a journal entry with a host over maxLabelValueBytes",
                #"{"MESSAGE":"m","_HOSTNAME":"a-very-long-host"}"#,
                decoder: PayloadDecoder(maxLabelValueBytes: 8), code: "label-too-long",
                says: "journal entry.host is 16 bytes"),
            // The crash class: a time no RFC 3339 text can hold, which trapped in the engine's arithmetic and again
            // on every restart that replayed it.
            Hostile(
                "a journal entry at Int64.min microseconds",
                #"{"MESSAGE":"m","__REALTIME_TIMESTAMP":"-9223372036854775808"}"#, code: "bad-time",
                says: "outside the years 0001 to 9999"),
            Hostile(
                "a journal entry at Int64.max microseconds",
                #"{"MESSAGE":"m","__REALTIME_TIMESTAMP":"9223372036854775807"}"#, code: "bad-time",
                says: "outside the years 0001 to 9999"),
            Hostile(
                "a journal entry one microsecond past 9999",
                #"{"MESSAGE":"m","__REALTIME_TIMESTAMP":"253402300800000000"}"#, code: "bad-time",
                says: "outside the years 0001 to 9999"),
            Hostile(
                "a journal entry past Int64", #"{"MESSAGE":"m","__REALTIME_TIMESTAMP":"99999999999999999999"}"#,
                code: "bad-time", says: "is not microseconds since the epoch"),
            Hostile(
                "a journal entry with a number timestamp", #"{"MESSAGE":"m","__REALTIME_TIMESTAMP":-9.2e18}"#,
                code: "bad-time", says: "__REALTIME_TIMESTAMP"),
            Hostile(
                "an alert in year 0000", #"{"labels":{"a":"1"},"startsAt":"0000-12-31T23:59:59Z"}"#, code: "bad-time",
                says: "alert.startsAt '0000-12-31T23:59:59Z'"),
            Hostile(
                "an alert pushed before year 0001 by its offset",
                #"{"labels":{"a":"1"},"endsAt":"0001-01-01T00:00:00+01:00"}"#, code: "bad-time",
                says: "alert.endsAt"),
            Hostile(
                "PagerDuty timestamp with a seven-digit offset",
                #"{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","timestamp":"2015-07-17T08:42:58.315+00000"}}"#,
                code: "bad-time", says: "payload.timestamp"),
            // Sizes: every name and all annotations are bounded, like label values.
            Hostile(
                "a 100,000-byte label name", #"{"labels":{"\#(String(repeating: "n", count: 100_000))":"v"}}"#,
                code: "label-too-long", says: "a label name of 100000 bytes"),
            Hostile(
                "a 100,000-byte annotation name",
                #"{"labels":{"a":"1"},"annotations":{"\#(String(repeating: "n", count: 100_000))":"v"}}"#,
                code: "annotation-too-long", says: "a name of 100000 bytes"),
            Hostile(
                "annotations over max_annotation_bytes",
                #"{"labels":{"a":"1"},"annotations":{"x":"\#(String(repeating: "v", count: 70_000))"}}"#,
                code: "annotation-too-long", says: "more than limits.max_annotation_bytes (65536)"),
            Hostile(
                "PagerDuty custom_details over max_annotation_bytes",
                #"{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","custom_details":{"x":"\#(String(repeating: "v", count: 70_000))"}}}"#,
                code: "annotation-too-long", says: "payload hold"),
            Hostile(
                "a 1 MB status is not echoed back whole",
                #"{"labels":{"a":"1"},"status":"\#(String(repeating: "s", count: 1_000_000))"}"#, code: "bad-status",
                says: "(1000000 bytes)"),
            Hostile(
                "an array sent as a journal entry", #"[{"MESSAGE":"m"}]"#, format: .journal, code: "bad-shape",
                says: "a journal entry is an object"),
        ]
    }
}

@Suite("Hostile and broken payloads")
struct HostilePayloadTests {
    @Test("refused with a specific code and a message naming the problem", arguments: try Hostile.all())
    func refused(_ hostile: Hostile) throws {
        let error = try #require(refusal(hostile.data, decoder: hostile.decoder, format: hostile.format))
        #expect(error.code == hostile.code)
        #expect(error.message.contains(hostile.says), "\(error.message)")
        #expect(error.description == "\(error.message) [\(error.code)]")
    }

    static let badAlerts: [(String, String, String)] = [
        ("empty labels", #"{"labels":{}}"#, "no-labels"),
        ("labels as an array", #"{"labels":["a"]}"#, "bad-shape"),
        ("an object label value", #"{"labels":{"a":{"b":"c"}}}"#, "bad-label"),
        ("a bad status", #"{"labels":{"a":"1"},"status":"pending"}"#, "bad-status"),
        ("a bad startsAt", #"{"labels":{"a":"1"},"startsAt":"2026-13-01T00:00:00Z"}"#, "bad-time"),
        ("not an object", #""DiskFull""#, "bad-shape"),
    ]

    @Test("in a generic array, the error names the index of the bad alert", arguments: badAlerts)
    func namesIndex(what: String, bad: String, code: String) throws {
        let good = (0..<5).map { #"{"labels":{"alertname":"A","i":"\#($0)"}}"# }
        var items = good
        items[3] = bad
        let error = try #require(refusal("[" + items.joined(separator: ",") + "]"))
        #expect(error.code == code)
        #expect(error.message.hasPrefix("[3]"), "\(error.message)")
        #expect(!error.message.contains("[0]") && !error.message.contains("[4]"))
    }

    @Test("a bad alert deep in a large array is found by its index")
    func namesLargeIndex() throws {
        var items = (0..<1000).map { #"{"labels":{"i":"\#($0)"}}"# }
        items[987] = #"{"labels":{"i":"987"},"status":"up"}"#
        let error = try #require(refusal("[" + items.joined(separator: ",") + "]"))
        #expect(error.code == "bad-status")
        #expect(error.message.hasPrefix("[987].status is 'up'"), "\(error.message)")
    }
}
