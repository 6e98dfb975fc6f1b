import Foundation
import IncidentCore
import Testing

@testable import IncidentPostgres

/// How multi-row statements are cut: by the count of values (PostgreSQL's bind limit) and by the bytes bound
/// (its 1 GB message limit), with upper bounds on the bytes that must hold for any text a sender chooses.
@Suite struct StatementChunksTests {
    @Test func piecesEndAtTheBindLimit() {
        // Columns such that three rows fit under the limit.
        let pieces = chunks(Array(0..<10), columns: maxBindsPerStatement / 3)
        #expect(pieces.map(Array.init) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
        #expect(chunks([Int](), columns: 4).isEmpty)
    }

    @Test func piecesEndBeforeTheBytesPassTheLimitAndABigItemIsAPieceAlone() {
        let sizes = [4, 4, 4, 10, 1, 1, 8, 0]
        let pieces = chunks(sizes, columns: 1, maxBytes: 8) { $0 }
        #expect(pieces.map(Array.init) == [[4, 4], [4], [10], [1, 1], [8, 0]])
        // Every item once, in order.
        #expect(pieces.flatMap { $0 } == sizes)
    }

    /// The bound `chunks` is given for a label set must hold for what `jsonText` makes of any text.
    @Test func theJSONBoundHoldsForTheWorstText() {
        let hostile = [
            String(repeating: "\u{1}", count: 4096), String(repeating: "\"\\", count: 2048), "ünï✓\u{7F}\u{2028}",
            String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }), "",
        ]
        for value in hostile {
            for name in ["a", "\u{0}\u{1F}", "ü"] {
                let labels = Labels([(name, value), ("x", value + value)])
                #expect(labels.jsonText.utf8.count <= BoundBytes.json(labels))
            }
        }
        #expect(Labels().jsonText.utf8.count <= BoundBytes.json(Labels()))
    }
}
