// The payload decoder on Prometheus' path: a file of alerts, one JSON object a line (the `.amlines` stream
// `Benchmarks/run` caches), sent as arrays of BATCH alerts, each decoded ROUNDS times as the HTTP route does
// (`PayloadDecoder.decode`, format generic). Prints nanoseconds per alert; compare builds with
// instruction counts (`valgrind --tool=callgrind`), steadier than time on a shared VM (BENCHMARKS.md, issue 16).
// With --encode 1 it also writes each event's labels and annotations as the store does (`Labels.jsonText`, for
// the event row and the alert row).
//
//   swift build -c release --product payload-bench
//   .build/release/payload-bench FILE [--batch 64] [--alerts 20000] [--rounds 20] [--encode 1]
import Foundation
import IncidentCore
import IncidentPayload

let arguments = CommandLine.arguments
guard arguments.count >= 2, let text = FileManager.default.contents(atPath: arguments[1]) else {
    let usage = "usage: payload-bench FILE [--batch N] [--alerts N] [--rounds N] [--encode 1]\n"
    FileHandle.standardError.write(Data(usage.utf8))
    exit(2)
}
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let value = Int(arguments[i + 1]),
        value > 0
    else { return fallback }
    return value
}
let batch = option("--batch", 64)
let alerts = option("--alerts", 20_000)
let rounds = option("--rounds", 20)
let encode = option("--encode", 0) == 1

let lines = text.split(separator: 0x0A, maxSplits: alerts).prefix(alerts)
var bodies: [Data] = []
var start = lines.startIndex
while start < lines.endIndex {
    let end = min(start + batch, lines.endIndex)
    var body = Data("[".utf8)
    for (k, line) in lines[start..<end].enumerated() {
        if k > 0 { body.append(UInt8(ascii: ",")) }
        body.append(contentsOf: line)
    }
    body.append(UInt8(ascii: "]"))
    bodies.append(body)
    start = end
}

let decoder = PayloadDecoder()
let received = Timestamp(microseconds: 1_700_000_000_000_000)
var decoded = 0
var encodedBytes = 0
let clock = ContinuousClock()
let elapsed = clock.measure {
    for _ in 0..<rounds {
        for body in bodies {
            do {
                let events = try decoder.decode(body, format: .generic, source: .http, receivedAt: received)
                decoded += events.count
                if encode {
                    // Twice, as the store writes them: the event row and the alert row.
                    for event in events {
                        for _ in 0..<2 {
                            encodedBytes += event.labels.jsonText.utf8.count + event.annotations.jsonText.utf8.count
                        }
                    }
                }
            } catch {
                FileHandle.standardError.write(Data("payload-bench: \(error)\n".utf8))
                exit(1)
            }
        }
    }
}
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(
    "alerts=\(decoded) batch=\(batch) encoded_bytes=\(encodedBytes) ns_per_alert=\(Int(seconds * 1e9 / Double(max(decoded, 1))))"
)
