import Testing

@testable import IncidentPayload

/// `PlainAlertParser` on its own: the exact alerts it reads, or nil where it must hand the input to the general
/// decoder. `FastPathTests` checks that both paths agree; this pins what the fast one itself decides, so that a
/// change making it refuse (or take) more than it should shows here and not only as a slower daemon.
@Suite struct PlainAlertParserTests {
    /// What the parser read, in a form tests can compare.
    struct Alert: Equatable, CustomStringConvertible {
        var labels: [String: String]
        var annotations: [String: String]? = nil
        var status: String? = nil
        var startsAt: String? = nil
        var endsAt: String? = nil
        var generatorURL: String? = nil

        init(
            _ labels: [String: String], annotations: [String: String]? = nil, status: String? = nil,
            startsAt: String? = nil, endsAt: String? = nil, generatorURL: String? = nil
        ) {
            self.labels = labels
            self.annotations = annotations
            self.status = status
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.generatorURL = generatorURL
        }

        init(_ plain: PayloadDecoder.PlainAlert) {
            self.init(
                plain.labels.dictionary, annotations: plain.annotations?.dictionary, status: plain.status,
                startsAt: plain.startsAt,
                endsAt: plain.endsAt, generatorURL: plain.generatorURL)
        }

        var description: String {
            "\(labels) \(annotations.map { "\($0)" } ?? "-") \(status ?? "-") \(startsAt ?? "-") "
                + "\(endsAt ?? "-") \(generatorURL ?? "-")"
        }
    }

    static func parse(_ text: String) -> [Alert]? {
        parse(Array(text.utf8))
    }

    static func parse(_ bytes: [UInt8]) -> [Alert]? {
        bytes.withUnsafeBufferPointer { PlainAlertParser.parse($0) }?.map(Alert.init)
    }

    /// `depth` arrays nested in an ignored key.
    static func nested(_ depth: Int) -> String {
        #"{"labels":{"a":"1"},"x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            + "}"
    }

    /// An object of `count` distinct labels.
    static func labels(_ count: Int) -> String {
        #"{"labels":{"# + (0..<count).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}}"
    }

    static let a1 = [Alert(["a": "1"])]

    /// Input and the exact result; nil: not taken, the general decoder decides.
    static let table: [(String, [Alert]?)] = [
        // Shapes.
        (#"{"labels":{"a":"1"}}"#, a1),
        (#"{"labels":{}}"#, [Alert([:])]),
        (#"[{"labels":{"a":"1"}},{"labels":{"b":"2"}}]"#, [Alert(["a": "1"]), Alert(["b": "2"])]),
        (#"[{"labels":{"a":"1"}}]"#, a1),
        (
            #"{"labels":{"a":"1"},"annotations":{"s":"x"},"status":"resolved","startsAt":"t0","endsAt":"t1","#
                + #""generatorURL":"http://g/"}"#,
            [
                Alert(
                    ["a": "1"], annotations: ["s": "x"], status: "resolved", startsAt: "t0", endsAt: "t1",
                    generatorURL: "http://g/")
            ]
        ),
        ("[]", nil),
        ("", nil),
        ("   ", nil),
        (#"{"annotations":{"s":"x"}}"#, nil),
        (#"{}"#, nil),
        (#"[{"labels":{"a":"1"}},]"#, nil),
        (#"{"labels":{"a":"1"},}"#, nil),
        (#"{"labels":{"a":"1"}} trailing"#, nil),
        (#"{"labels":{"a":"1"}}{"labels":{"a":"1"}}"#, nil),
        (#""labels""#, nil),
        // Whitespace: JSON's four characters anywhere between tokens, and nothing else.
        (
            "\t\r\n {\n\"labels\" :\t{ \"a\" : \"1\" } ,\"status\"\r:\"firing\" }\n",
            [Alert(["a": "1"], status: "firing")]
        ),
        (" [ {\"labels\":{\"a\":\"1\"}} , {\"labels\":{}} ] ", [Alert(["a": "1"]), Alert([:])]),
        ("\u{0B}{\"labels\":{}}", nil),
        ("{\"labels\":{}}\u{A0}", nil),
        // Escapes.
        (#"{"labels":{"a":"q\"b\\s\/n\nt\tr\rb\bf\f"}}"#, [Alert(["a": "q\"b\\s/n\nt\tr\rb\u{08}f\u{0C}"])]),
        (#"{"labels":{"k\"ey":"v"}}"#, [Alert(["k\"ey": "v"])]),
        (#"{"labels":{"a":"\x"}}"#, nil),
        (#"{"labels":{"a":"\'"}}"#, nil),
        (#"{"labels":{"a":"ends in a backslash\"}}"#, nil),
        // Unicode escapes (and so surrogate pairs) are the general path's: it knows how to refuse a lone half.
        (#"{"labels":{"a":"\u00e9"}}"#, nil),
        (#"{"labels":{"a":"\ud83d\ude00"}}"#, nil),
        (#"{"labels":{"a":"\ud83d"}}"#, nil),
        (#"{"labels":{"\u0061":"1"}}"#, nil),
        // UTF-8 as is passes through unchanged.
        (#"{"labels":{"é":"日本 😀"}}"#, [Alert(["é": "日本 😀"])]),
        // Raw control characters inside strings are not JSON.
        ("{\"labels\":{\"a\":\"x\ty\"}}", nil),
        ("{\"labels\":{\"a\":\"x\ny\"}}", nil),
        // Duplicate keys: refused at every level rather than picking one.
        (#"{"labels":{"a":"1","a":"2"}}"#, nil),
        (#"{"labels":{"a":"1"},"labels":{"b":"2"}}"#, nil),
        (#"{"labels":{"a":"1"},"annotations":{},"annotations":{}}"#, nil),
        (#"{"labels":{"a":"1"},"x":{"y":1,"y":2}}"#, nil),
        (#"{"labels":{"a":"1"},"x":1,"x":2}"#, nil),
        // Known keys take strings (objects of strings) only.
        (#"{"labels":{"a":5}}"#, nil),
        (#"{"labels":{"a":null}}"#, nil),
        (#"{"labels":{"a":true}}"#, nil),
        (#"{"labels":{"a":{"b":"c"}}}"#, nil),
        (#"{"labels":null}"#, nil),
        (#"{"labels":["a"]}"#, nil),
        (#"{"labels":{"a":"1"},"annotations":null}"#, nil),
        (#"{"labels":{"a":"1"},"status":null}"#, nil),
        (#"{"labels":{"a":"1"},"startsAt":1700000000}"#, nil),
        // Numbers and literals in ignored keys: checked for shape, then dropped.
        (#"{"labels":{"a":"1"},"x":[0,-1,2.5,-2.5e3,1E+2,true,false,null,"s",{},[]]}"#, a1),
        (#"{"labels":{"a":"1"},"x":-}"#, nil),
        (#"{"labels":{"a":"1"},"x":1.2.3}"#, nil),
        (#"{"labels":{"a":"1"},"x":1e}"#, nil),
        (#"{"labels":{"a":"1"},"x":tru}"#, nil),
        (#"{"labels":{"a":"1"},"x":nul}"#, nil),
        (#"{"labels":{"a":"1"},"x":True}"#, nil),
        (#"{"labels":{"a":"1"},"x":[1 2]}"#, nil),
        // Nesting: an ignored value may nest 64 deep; deeper is the general path's (and its limit's).
        (nested(64), a1),
        (nested(65), nil),
        // At most 64 keys per object.
        (labels(64), [Alert(Dictionary(uniqueKeysWithValues: (0..<64).map { ("k\($0)", "v") }))]),
        (labels(65), nil),
    ]

    @Test(arguments: 0..<table.count)
    func readsExactlyOrHandsOver(_ row: Int) {
        let (input, expected) = Self.table[row]
        #expect(Self.parse(input) == expected, "\(input.debugDescription)")
    }

    /// Every strict prefix of a valid payload is refused: a line cut short (a client dying mid-write, a
    /// truncated spool file) never decodes to fewer labels.
    @Test(arguments: [
        #"{"labels":{"alertname":"A","host":"h"},"annotations":{"s":"q\"x"},"status":"firing","x":[1,-2.5e3,null]}"#,
        #"[{"labels":{"a":"1"}},{"labels":{"b":"2"},"generatorURL":"http://g/"}]"#,
    ])
    func everyTruncationIsRefused(_ input: String) {
        let bytes = Array(input.utf8)
        #expect(Self.parse(bytes) != nil)
        for end in 0..<bytes.count {
            #expect(Self.parse(Array(bytes[..<end])) == nil, "prefix of \(end) bytes")
        }
    }
}
