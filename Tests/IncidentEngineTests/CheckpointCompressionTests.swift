import Foundation
import IncidentCore
import Testing

@testable import IncidentEngine

/// The checkpoint as the daemon writes it, the compact form compressed with zstd (or with zlib, as the first
/// compressed form was): it reads back to the same state, the forms earlier versions wrote still read, and damaged
/// or crafted bytes are an error, never a trap or an allocation of what they claim.
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

    /// `state(alerts:)` as a checkpoint in `format`: zstd is what the daemon writes, zlib what 2026-12-07's build
    /// wrote, which must still read.
    static func written(_ format: CheckpointCompression.Format, alerts: Int = 20) throws -> Data {
        try CheckpointCompression.compress(CompactCoder.encodeBytes(state(alerts: alerts)), format: format)
    }

    @Test func theDaemonsFormReadsBackToTheSameStateAndIsSmaller() throws {
        let state = Self.state()
        let written = try state.encoded()
        #expect(CheckpointCompression.isCompressed(written))
        #expect(written[CheckpointCompression.prefix.count] == CheckpointCompression.Format.zstd.rawValue)
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
        let zlib = try Self.written(.zlib)
        #expect(zlib[CheckpointCompression.prefix.count] == 1)
        #expect(try EngineState.decode(zlib).canonicalJSON() == expected)
        #expect(try EngineState.decode(CompactCoder.encode(state)).canonicalJSON() == expected)
        #expect(try EngineState.decode(JSONEncoder().encode(state)).canonicalJSON() == expected)
    }

    /// A later version's format is refused by name, not misread.
    @Test(arguments: [0, 3, 255] as [UInt8])
    func anUnknownFormatIsAnError(_ format: UInt8) throws {
        var written = try Self.written(.zstd)
        written[CheckpointCompression.prefix.count] = format
        #expect(throws: DecodingError.self) { try EngineState.decode(written) }
    }

    @Test(arguments: CheckpointCompression.Format.allCases)
    func everyTruncationIsAnError(_ format: CheckpointCompression.Format) throws {
        let written = try Self.written(format)
        for length in 0..<written.count {
            #expect(throws: DecodingError.self, "\(length) of \(written.count) bytes") {
                try EngineState.decode(written.prefix(length))
            }
        }
    }

    /// The stated length is checked before anything is allocated for it, and must be exactly what the stream
    /// decompresses to.
    @Test(arguments: CheckpointCompression.Format.allCases, [0, 1, -1, 1 << 40, -(1 << 20)] as [Int64])
    func aWrongStatedLengthIsAnError(_ format: CheckpointCompression.Format, _ change: Int64) throws {
        var written = try Self.written(format)
        let header = CheckpointCompression.prefix.count + 1
        let actual = written[header..<header + 8].enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        let stated = change == 0 ? UInt64.max : UInt64(bitPattern: Int64(actual) + change)
        withUnsafeBytes(of: stated.littleEndian) { written.replaceSubrange(header..<header + 8, with: $0) }
        #expect(throws: DecodingError.self) { try EngineState.decode(written) }
    }

    /// The largest length the format could have produced from the stream passes the first check; the output then
    /// grows only as far as the stream goes, and the shortfall is an error.
    @Test(arguments: CheckpointCompression.Format.allCases)
    func theLargestPlausibleLengthIsReadAsFarAsTheStreamGoes(_ format: CheckpointCompression.Format) throws {
        var written = try Self.written(format)
        let header = CheckpointCompression.prefix.count + 1
        let stream = written.count - CheckpointCompression.headerSize
        for stated in [UInt64(stream * format.maxRatio), UInt64(stream * format.maxRatio + 1)] {
            withUnsafeBytes(of: stated.littleEndian) { written.replaceSubrange(header..<header + 8, with: $0) }
            #expect(throws: DecodingError.self, "stated \(stated)") { try EngineState.decode(written) }
        }
    }

    /// `expand` with a stated length no machine holds: the output starts small and grows only as far as the
    /// stream goes. Allocated up front, 1 TiB would stop the process here.
    @Test func theOutputGrowsOnlyAsTheStreamFillsIt() throws {
        let stream: [UInt8] = [1, 2, 3]
        var largest = 0
        #expect(throws: DecodingError.self) {
            try stream.withUnsafeBytes { raw in
                try CheckpointCompression.expand(raw, length: 1 << 40, name: "test") { input, output in
                    largest = max(largest, output.count)
                    return (input.count, min(output.count, 10), true)
                }
            }
        }
        #expect(largest > 0 && largest <= 1 << 16)
    }

    /// A zstd stream must be exactly one frame of the current format: a second frame, a skippable frame before or
    /// after, or a frame of zstd's pre-1.0 format (whose decoders ignore the window limit) is refused.
    @Test func aZstdStreamIsOneFrameOfTheCurrentFormat() throws {
        let written = try Self.written(.zstd)
        let header = written.prefix(CheckpointCompression.headerSize)
        let frame = written.dropFirst(CheckpointCompression.headerSize)
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]
        let empty = try CheckpointCompression.compress([0], format: .zstd).dropFirst(CheckpointCompression.headerSize)
        var legacy = Data(frame)
        legacy[legacy.startIndex] = 0x27
        for (name, stream) in [
            ("a second frame", Data(frame) + frame), ("an empty frame after", Data(frame) + empty),
            ("a skippable frame after", Data(frame) + skippable), ("a skippable frame before", Data(skippable) + frame),
            ("the pre-1.0 magic", legacy),
        ] {
            #expect(throws: DecodingError.self, "\(name)") { try EngineState.decode(header + stream) }
        }
        // The pre-1.0 frame is refused by its magic, before libzstd's legacy decoder sees it.
        let refusal = #expect(throws: DecodingError.self) { try EngineState.decode(header + legacy) }
        #expect("\(String(describing: refusal))".contains("is not a zstd frame"))
        #expect(try EngineState.decode(header + frame).canonicalJSON() == Self.state(alerts: 20).canonicalJSON())
    }

    @Test(arguments: CheckpointCompression.Format.allCases)
    func bytesAfterTheStreamOrAChangedByteInItAreAnError(_ format: CheckpointCompression.Format) throws {
        let expected = try Self.state(alerts: 20).canonicalJSON()
        let written = try Self.written(format)
        #expect(throws: DecodingError.self) { try EngineState.decode(written + [0]) }
        // Every byte of the stream changed in turn: the format's framing or its checksum of the output (zlib's
        // Adler-32, zstd's XXH64) refuses it. A change the decoder does not see (in deflate, the padding after the
        // last block or the code length of a symbol a block never uses: one or two bytes of a stream in scans of
        // 150 states) gives the same bytes and reads back to the same state; nothing may read back to another.
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
