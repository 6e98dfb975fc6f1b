// The payload decoder on Prometheus' path: a file of alerts, one JSON object a line (the `.amlines` stream
// `Benchmarks/run` caches), sent as arrays of BATCH alerts, each decoded ROUNDS times as the HTTP route does
// (`PayloadDecoder.decode`, format generic). Prints nanoseconds per alert; compare builds with
// `perf stat -e instructions`, steadier than time on a shared VM (BENCHMARKS.md, issue 16).
//
//   swift build -c release --product payload-bench
//   .build/release/payload-bench FILE [--batch 64] [--alerts 20000] [--rounds 20]
import Foundation
import IncidentCore
import IncidentPayload

let arguments = CommandLine.arguments
guard arguments.count >= 2, let text = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: payload-bench FILE [--batch N] [--alerts N] [--rounds N]\n".utf8))
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
let clock = ContinuousClock()
let elapsed = clock.measure {
    for _ in 0..<rounds {
        for body in bodies {
            do {
                decoded += try decoder.decode(body, format: .generic, source: .http, receivedAt: received).count
            } catch {
                FileHandle.standardError.write(Data("payload-bench: \(error)\n".utf8))
                exit(1)
            }
        }
    }
}
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("alerts=\(decoded) batch=\(batch) ns_per_alert=\(Int(seconds * 1e9 / Double(max(decoded, 1))))")
