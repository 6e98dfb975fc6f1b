import IncidentCore
import Testing

@Suite("IncidentState")
struct IncidentStateTests {
    /// Every state × action; nil means the action is refused in that state.
    static let transitions: [(IncidentState, IncidentState.Action, IncidentState?)] = [
        (.open, .acknowledge, .acknowledged),
        (.open, .resolve, .resolved),
        (.open, .reopen, nil),
        (.open, .close, .closed),
        (.acknowledged, .acknowledge, nil),
        (.acknowledged, .resolve, .resolved),
        (.acknowledged, .reopen, nil),
        (.acknowledged, .close, .closed),
        (.resolved, .acknowledge, nil),
        (.resolved, .resolve, nil),
        (.resolved, .reopen, .open),
        (.resolved, .close, .closed),
        (.closed, .acknowledge, nil),
        (.closed, .resolve, nil),
        (.closed, .reopen, nil),
        (.closed, .close, nil),
        // The engine's own action: a lapsed acknowledgement returns the incident to open.
        (.open, .ackTimeout, nil),
        (.acknowledged, .ackTimeout, .open),
        (.resolved, .ackTimeout, nil),
        (.closed, .ackTimeout, nil),
    ]

    @Test("the table covers every state and action exactly once")
    func tableIsComplete() {
        let covered = Set(Self.transitions.map { "\($0.0.rawValue)/\($0.1.rawValue)" })
        #expect(covered.count == Self.transitions.count)
        #expect(covered.count == IncidentState.allCases.count * IncidentState.Action.allCases.count)
    }

    @Test("transition", arguments: transitions)
    func transition(from state: IncidentState, action: IncidentState.Action, to expected: IncidentState?) {
        #expect(state.applying(action) == expected)
    }

    @Test("closed is final: no action leaves it")
    func closedIsFinal() {
        for action in IncidentState.Action.allCases {
            #expect(IncidentState.closed.applying(action) == nil, "\(action)")
        }
    }

    @Test("only open and acknowledged incidents are active")
    func active() {
        #expect(IncidentState.allCases.filter(\.isActive) == [.open, .acknowledged])
    }

    @Test("action and state names are the API's")
    func names() {
        #expect(IncidentState.Action.allCases.map(\.rawValue) == ["ack", "resolve", "reopen", "close", "ack_timeout"])
        #expect(IncidentState.allCases.map(\.rawValue) == ["open", "acknowledged", "resolved", "closed"])
    }
}
