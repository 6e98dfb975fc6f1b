import Foundation
import IncidentCore
import IncidentIngest
import Testing

@testable import IncidentPayload

/// The typed fast path for generic alerts must decide exactly as the general path: same events, same errors.
@Suite struct FastPathTests {
    static let inputs: [String] = [
        #"{"labels":{"alertname":"A","host":"h"}}"#,
        #"{"labels":{"alertname":"A"},"annotations":{"summary":"s \"q\" é"},"status":"resolved"}"#,
        #"{"labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"2020-01-01T00:00:00Z"}"#,
        #"{"labels":{"alertname":"A"},"startsAt":"0001-01-01T00:00:00Z","endsAt":"2999-01-01T00:00:00.5+02:00"}"#,
        #"{"labels":{"alertname":"A"},"generatorURL":"http://x/graph","extra":{"ignored":[1,2]}}"#,
        #"[{"labels":{"a":"1"}},{"labels":{"b":"2"},"status":"firing"}]"#,
        #"{"labels":{}}"#,
        #"{"labels":{"a":"1"},"status":"broken"}"#,
        #"{"labels":{"a":"1"},"startsAt":"yesterday"}"#,
        #"{"labels":{"":"1"}}"#,
        #"{"labels":{"a":5}}"#,
        #"{"labels":{"a":null,"b":"x"}}"#,
        #"{"labels":{"a":"1"},"annotations":null}"#,
        #"{"labels":{"a":"1"},"status":null}"#,
        #"[]"#,
        #"[{"labels":{"a":"1"}},{"labels":{}}]"#,
        #"{"nolabels":true}"#,
        #"  {"labels":{"a":"1"}}  "#,
        #"{"labels":{"a":"tab\tnew\nq\"s\\/\/"}}"#,
        #"{"labels":{"a":"\u00e9\ud83d\ude00"}}"#,
        #"{"labels":{"a":"1","a":"2"}}"#,
        #"{"labels":{"a":"1"},"labels":{"b":"2"}}"#,
        #"{"labels":{"a":"1"},"x":{"y":[1,-2.5e3,true,false,null,{"z":"w"}]}}"#,
        #"{"labels":{"a":"1"}} trailing"#,
        #"{"labels":{"a":"1"},}"#,
        #"{"labels":{"a":"1"},"status":"resolved","endsAt":""}"#,
        #"[{"labels":{"a":"1"}}]"#,
        // Numbers JSON does not allow, which the fast path once took from `Double` (found by fuzzing:
        // Fuzz/regressions/plain-alert/).
        #"{"labels":{"a":"1"},"x":-35.e3}"#,
        #"{"labels":{"a":"1"},"x":1.}"#,
        #"{"labels":{"a":"1"},"x":01}"#,
        #"{"labels":{"a":"1"},"x":1e+}"#,
        #"{"labels":{"a":"1"},"x":-}"#,
        #"{"labels":{"a":"1"},"x":[0,-0,-0.5,1E+2,10e-3,123.456e7]}"#,
        // Beyond a Double's range, which JSONSerialization refuses and the fast path once skipped (found by
        // fuzzing: Fuzz/regressions/plain-alert/number-beyond-double.json); below it, both take 0.
        #"{"labels":{"a":"1"},"startyAt":179532e328}"#,
        #"{"labels":{"a":"1"},"x":-1e309}"#,
        #"{"labels":{"a":"1"},"x":[1e308,1e-400,123456789012345678901234567890]}"#,
        // Two bad labels: the error named whichever the dictionary listed first, which differs between parses
        // (found by fuzzing: Fuzz/regressions/plain-alert/two-bad-labels.json). It names the first by name now.
        #"{"labels":{"aabels":{"a":"1"},"asummary":{}}}"#,
    ]

    @Test func twoBadLabelsAlwaysGetTheSameError() throws {
        let text = #"{"labels":{"zz":[1],"mm":{},"aabels":{"a":"1"},"asummary":{}}}"#
        let decoder = PayloadDecoder()
        let now = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
        for _ in 0..<20 {
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
            #expect(throws: PayloadError("bad-label", "alert.labels.aabels must be a string, not an object or array")) {
                try decoder.decode(object: object, format: .generic, source: .socket, receivedAt: now)
            }
        }
    }

    @Test(arguments: inputs)
    func fastAndGeneralPathsAgree(_ text: String) throws {
        let decoder = PayloadDecoder(maxLabels: 4, maxLabelValueBytes: 64)
        let now = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
        let fast = Result { () throws(PayloadError) in
            try decoder.decode(Data(text.utf8), format: .generic, source: .socket, receivedAt: now)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            // Not JSON at all: the fast path must refuse it too.
            #expect(throws: PayloadError.self) {
                try decoder.decode(Data(text.utf8), format: .generic, source: .socket, receivedAt: now)
            }
            return
        }
        let general = Result { () throws(PayloadError) in
            try decoder.decode(object: object, format: .generic, source: .socket, receivedAt: now)
        }
        switch (fast, general) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure(let a), .failure(let b)): #expect(a == b)
        default: Issue.record("the paths disagree: \(fast) vs \(general)")
        }
    }
}
