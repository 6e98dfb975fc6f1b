import Foundation
import IncidentCore
import Testing

@testable import IncidentEngine

/// The checkpoint as the daemon writes it, the compact form compressed with zlib: it reads back to the same
/// state, the forms earlier versions wrote still read, and damaged or crafted bytes are an error, never a trap or
/// an allocation of what they claim.
@Suite struct CheckpointCompressionTests {
    static let rules = compile(
        """
        rules:
          - name: everything
            match: ['alertname=~".+"']
            kind: degradation
            impact: low
            urgency: low
            group_by: [service]
            resolve_after: 5m
        """)

    /// The state of an engine holding `alerts` firing alerts in groups of ten.
    static func state(alerts: Int = 300) -> EngineState {
        var engine = CorrelationEngine(ruleSet: rules)
        for i in 0..<alerts {
            let labels: Labels = [
                "alertname": "Alert\(i % 7)", "instance": "host-\(i):9100", "service": "svc-\(i / 10)",
            ]
            _ = engine.ingest(event(labels, Double(i), annotations: ["summary": "value \(i) is high"]))
        }
        return engine.exportState()
    }

    @Test func theDaemonsFormReadsBackToTheSameStateAndIsSmaller() throws {
        let state = Self.state()
        let written = try state.encoded()
        #expect(CheckpointCompression.isCompressed(written))
        let compact = try CompactCoder.encode(state)
        #expect(written.count * 3 < compact.count, "\(written.count) bytes compressed against \(compact.count)")
        #expect(try EngineState.decode(written).canonicalJSON() == state.canonicalJSON())
        let restored = CorrelationEngine(restoring: try EngineState.decode(written), ruleSet: Self.rules)
        #expect(restored.workingSetSize.alerts == 300)
        #expect(restored.workingSetSize.incidents == 30)
    }

    @Test func theFormsEarlierVersionsWroteStillRead() throws {
        let state = Self.state(alerts: 20)
        let expected = try state.canonicalJSON()
        #expect(try EngineState.decode(CompactCoder.encode(state)).canonicalJSON() == expected)
        #expect(try EngineState.decode(JSONEncoder().encode(state)).canonicalJSON() == expected)
    }

    @Test func everyTruncationIsAnError() throws {
        let written = try Self.state(alerts: 20).encoded()
        for length in 0..<written.count {
            #expect(throws: DecodingError.self, "\(length) of \(written.count) bytes") {
                try EngineState.decode(written.prefix(length))
            }
        }
    }

    /// The stated length is checked before anything is allocated for it, and must be exactly what the stream
    /// inflates to.
    @Test(arguments: [0, 1, -1, 1 << 40, -(1 << 20)])
    func aWrongStatedLengthIsAnError(_ change: Int64) throws {
        var written = try Self.state(alerts: 20).encoded()
        let header = CheckpointCompression.magic.count
        let actual = written[header..<header + 8].enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        let stated = change == 0 ? UInt64.max : UInt64(bitPattern: Int64(actual) + change)
        withUnsafeBytes(of: stated.littleEndian) { written.replaceSubrange(header..<header + 8, with: $0) }
        #expect(throws: DecodingError.self) { try EngineState.decode(written) }
    }

    /// The largest length deflate could have produced from the stream passes the first check; the output then
    /// grows only as far as the stream inflates, and the shortfall is an error.
    @Test func theLargestPlausibleLengthIsReadAsFarAsTheStreamGoes() throws {
        var written = try Self.state(alerts: 20).encoded()
        let header = CheckpointCompression.magic.count
        let stream = written.count - CheckpointCompression.headerSize
        for stated in [
            UInt64(stream * CheckpointCompression.maxRatio), UInt64(stream * CheckpointCompression.maxRatio + 1),
        ] {
            withUnsafeBytes(of: stated.littleEndian) { written.replaceSubrange(header..<header + 8, with: $0) }
            #expect(throws: DecodingError.self, "stated \(stated)") { try EngineState.decode(written) }
        }
    }

    @Test func bytesAfterTheStreamOrAChangedByteInItAreAnError() throws {
        let state = Self.state(alerts: 20)
        let written = try state.encoded()
        let expected = try state.canonicalJSON()
        #expect(throws: DecodingError.self) { try EngineState.decode(written + [0]) }
        // Every byte of the stream changed in turn: zlib's framing or its Adler-32 of the output refuses it. A
        // change deflate does not see (the padding after the last block, the code length of a symbol a block
        // never uses: one or two bytes of a stream in scans of 150 states) inflates to the same bytes and reads
        // back to the same state; nothing may read back to another.
        var refused = 0
        for index in CheckpointCompression.headerSize..<written.count {
            var damaged = written
            damaged[index] ^= 0x5A
            if let read = try? EngineState.decode(damaged) {
                #expect(try read.canonicalJSON() == expected, "byte \(index) changed the state it read back")
            } else {
                refused += 1
            }
        }
        #expect(refused * 10 >= (written.count - CheckpointCompression.headerSize) * 9)
    }
}
