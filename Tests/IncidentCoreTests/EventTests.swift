import IncidentCore
import Testing

private let received = Timestamp(microseconds: 1_795_328_328_000_000)

@Suite("Event")
struct EventTests {
    enum Own: Sendable, CustomStringConvertible {
        case none
        case offset(Duration)
        var timestamp: Timestamp? {
            switch self {
            case .none: nil
            case .offset(let d): received + d
            }
        }
        var description: String {
            switch self {
            case .none: "nil"
            case .offset(let d): "received\(d < .zero ? "" : "+")\(DurationText.format(d))"
            }
        }
    }

    /// status, startsAt, endsAt → event time, as an offset from arrival.
    static let eventTimes: [(EventStatus, Own, Own, Duration)] = [
        (.firing, .offset(.seconds(-300)), .none, .seconds(-300)),
        (.firing, .none, .none, .zero),
        (.firing, .offset(.seconds(59)), .none, .seconds(59)),
        (.firing, .offset(.seconds(60)), .none, .seconds(60)),
        (.firing, .offset(.seconds(61)), .none, .seconds(60)),
        (.firing, .offset(.seconds(86_400)), .none, .seconds(60)),
        // A firing event's time is when it started, whatever its endsAt says.
        (.firing, .offset(.seconds(-300)), .offset(.seconds(-10)), .seconds(-300)),
        (.resolved, .offset(.seconds(-300)), .offset(.seconds(-10)), .seconds(-10)),
        (.resolved, .offset(.seconds(-300)), .none, .seconds(-300)),
        (.resolved, .none, .none, .zero),
        (.resolved, .offset(.seconds(-300)), .offset(.seconds(3600)), .seconds(60)),
        (.resolved, .none, .offset(.seconds(61)), .seconds(60)),
    ]

    @Test("event time: own time, at most 60s ahead of arrival; resolved uses endsAt", arguments: eventTimes)
    func eventTime(status: EventStatus, startsAt: Own, endsAt: Own, expected: Duration) {
        let event = Event(
            labels: ["alertname": "A"], status: status, startsAt: startsAt.timestamp, endsAt: endsAt.timestamp,
            receivedAt: received)
        #expect(event.eventTime() == received + expected)
    }

    @Test("the clamp can be set")
    func customClamp() {
        let event = Event(labels: ["a": "1"], startsAt: received + .seconds(30), receivedAt: received)
        #expect(event.eventTime(clamp: .seconds(10)) == received + .seconds(10))
        #expect(event.eventTime(clamp: .zero) == received)
        #expect(event.eventTime(clamp: .seconds(60)) == received + .seconds(30))
    }

    @Test("a matcher sees the label, else the annotation, else the source")
    func valueLookup() {
        let event = Event(
            labels: ["alertname": "DiskFull", "summary": "from label"],
            annotations: ["summary": "from annotation", "description": "disk 97% full"],
            source: .spool, receivedAt: received)
        #expect(event.value(for: "alertname") == "DiskFull")
        #expect(event.value(for: "summary") == "from label")
        #expect(event.value(for: "description") == "disk 97% full")
        #expect(event.value(for: "source") == "spool")
        #expect(event.value(for: "missing") == nil)
    }

    @Test("a source label or annotation wins over the event's source", arguments: EventSource.allCases)
    func sourceLookup(source: EventSource) {
        let plain = Event(labels: ["a": "1"], source: source, receivedAt: received)
        #expect(plain.value(for: "source") == source.rawValue)
        let labelled = Event(labels: ["a": "1", "source": "journal"], source: source, receivedAt: received)
        #expect(labelled.value(for: "source") == "journal")
        let annotated = Event(
            labels: ["a": "1"], annotations: ["source": "pd-host"], source: source, receivedAt: received)
        #expect(annotated.value(for: "source") == "pd-host")
    }

    @Test("the fingerprint is the labels' alone")
    func fingerprint() {
        let a = Event(labels: ["alertname": "A"], annotations: ["x": "1"], source: .http, receivedAt: received)
        let b = Event(
            labels: ["alertname": "A"], annotations: ["x": "2"], status: .resolved, source: .socket,
            receivedAt: received + .seconds(5))
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint == Labels(["alertname": "A"]).fingerprint)
    }
}
