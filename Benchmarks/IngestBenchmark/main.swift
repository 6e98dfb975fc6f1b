import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// Durable ingest through incidentd's Unix socket, measured from outside as a client sees it: an event counts
// when its reply line (sent only after the transaction holding it committed) has arrived.
//
//   ingest-bench throughput --socket PATH --clients N --events N [--fingerprints N]
//   ingest-bench latency --socket PATH --rate N --seconds N [--clients N] [--fingerprints N]

struct Options {
    var mode = "throughput"
    var socket = ""
    var clients = 1
    var events = 100_000
    var fingerprints = 2_000
    var rate = 10_000
    var seconds = 10
    var label = ""

    init(_ args: [String]) {
        var it = args.makeIterator()
        if let first = it.next() { mode = first }
        while let arg = it.next() {
            let value = it.next() ?? ""
            switch arg {
            case "--socket": socket = value
            case "--clients": clients = Int(value) ?? clients
            case "--events": events = Int(value) ?? events
            case "--fingerprints": fingerprints = Int(value) ?? fingerprints
            case "--rate": rate = Int(value) ?? rate
            case "--seconds": seconds = Int(value) ?? seconds
            case "--label": label = value
            default:
                FileHandle.standardError.write(Data("unknown option \(arg)\n".utf8))
                exit(2)
            }
        }
    }
}

func connectUnix(_ path: String) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, byte) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
    }
    let ok = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    if ok != 0 {
        FileHandle.standardError.write(Data("cannot connect to \(path): errno \(errno)\n".utf8))
        exit(1)
    }
    return fd
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 {
            FileHandle.standardError.write(Data("write failed: errno \(errno)\n".utf8))
            exit(1)
        }
        offset += n
    }
}

/// The alert names of the peers' generator (../shared/peers/gen.py), so the shipped rules see a realistic mix.
let alertNames = [
    "HighCPU", "HighMemory", "DiskFull", "InstanceDown", "HighLatency", "ErrorRate", "QueueBacklog", "CertExpiry",
    "PodCrashLoop", "NodeNotReady", "SlowQueries", "ReplicationLag", "HighLoad", "NetworkErrors", "OOMKilled",
    "TargetMissing",
]
let severities = ["critical", "warning", "info"]

func line(client: Int, seq: Int, fingerprints: Int) -> [UInt8] {
    let i = (client * 7919 + seq) % fingerprints
    let name = alertNames[i % alertNames.count]
    let service = "svc-\(i / alertNames.count % 10)"
    let severity = severities[i % severities.count]
    return Array(
        ("{\"labels\":{\"alertname\":\"\(name)\",\"service\":\"\(service)\",\"instance\":\"node-\(i):9100\","
            + "\"severity\":\"\(severity)\"},\"annotations\":{\"summary\":\"\(name) on node-\(i)\","
            + "\"seq\":\"\(client)-\(seq)\"}}\n").utf8)
}

func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Reads reply lines; calls `onReply(ok)` per line; returns after `count` lines.
func readReplies(_ fd: Int32, count: Int, onReply: (Bool) -> Void) {
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var partial: [UInt8] = []
    var seen = 0
    while seen < count {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 {
            FileHandle.standardError.write(Data("connection closed after \(seen) replies\n".utf8))
            exit(1)
        }
        var start = 0
        for i in 0..<n where buffer[i] == 0x0A {
            partial.append(contentsOf: buffer[start..<i])
            // `{"ok":true` starts every success reply.
            onReply(partial.count > 9 && partial[6] == UInt8(ascii: "t"))
            partial.removeAll(keepingCapacity: true)
            seen += 1
            start = i + 1
        }
        partial.append(contentsOf: buffer[start..<n])
    }
}

final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

func throughput(_ o: Options) {
    let perClient = o.events / o.clients
    let failures = Atomic<Int>(0)
    let start = nowNanos()
    let group = DispatchGroup()
    for c in 0..<o.clients {
        let fd = connectUnix(o.socket)
        group.enter()
        Thread {
            var chunk: [UInt8] = []
            for i in 0..<perClient {
                chunk += line(client: c, seq: i, fingerprints: o.fingerprints)
                if chunk.count > 32_768 {
                    writeAll(fd, chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            writeAll(fd, chunk)
        }.start()
        Thread {
            readReplies(fd, count: perClient) { ok in if !ok { failures.add(1, ordering: .relaxed) } }
            close(fd)
            group.leave()
        }.start()
    }
    group.wait()
    let seconds = Double(nowNanos() - start) / 1e9
    let total = perClient * o.clients
    let rate = Double(total) / seconds
    print(
        String(
            format: "throughput%@ clients=%d events=%d fingerprints=%d seconds=%.2f acked_per_s=%.0f failed=%d",
            o.label.isEmpty ? "" : " \(o.label)", o.clients, total, o.fingerprints, seconds, rate,
            failures.load(ordering: .relaxed)))
}

func latency(_ o: Options) {
    let total = o.rate * o.seconds
    let perClient = total / o.clients
    let intervalNanos = UInt64(1_000_000_000) * UInt64(o.clients) / UInt64(o.rate)
    let samples = Box([[UInt64]](repeating: [], count: o.clients))
    let group = DispatchGroup()
    let failures = Atomic<Int>(0)
    for c in 0..<o.clients {
        let fd = connectUnix(o.socket)
        let sent = Box([UInt64](repeating: 0, count: perClient))
        let sentCount = Atomic<Int>(0)
        group.enter()
        Thread {
            let begin = nowNanos() + UInt64(c) * intervalNanos / UInt64(o.clients)
            for i in 0..<perClient {
                let due = begin + UInt64(i) * intervalNanos
                // Sleep, never spin: a spinning load generator starves the daemon on a 2-core machine.
                while true {
                    let now = nowNanos()
                    if now >= due { break }
                    usleep(UInt32(max(1, (due - now) / 1000)))
                }
                sent.value[i] = nowNanos()
                sentCount.store(i + 1, ordering: .releasing)
                writeAll(fd, line(client: c, seq: i, fingerprints: o.fingerprints))
            }
        }.start()
        Thread {
            var latencies: [UInt64] = []
            latencies.reserveCapacity(perClient)
            var i = 0
            readReplies(fd, count: perClient) { ok in
                let now = nowNanos()
                while sentCount.load(ordering: .acquiring) <= i {}
                latencies.append(now - sent.value[i])
                if !ok { failures.add(1, ordering: .relaxed) }
                i += 1
            }
            samples.value[c] = latencies
            close(fd)
            group.leave()
        }.start()
    }
    group.wait()
    let all = samples.value.flatMap { $0 }.sorted()
    func pct(_ p: Double) -> Double { Double(all[min(all.count - 1, Int(Double(all.count) * p))]) / 1e6 }
    print(
        String(
            format:
                "latency%@ rate=%d clients=%d events=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f failed=%d",
            o.label.isEmpty ? "" : " \(o.label)", o.rate, o.clients, all.count, pct(0.50), pct(0.90), pct(0.99),
            pct(0.999), Double(all.last ?? 0) / 1e6, failures.load(ordering: .relaxed)))
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
guard !options.socket.isEmpty else {
    FileHandle.standardError.write(
        Data(
            "usage: ingest-bench throughput|latency --socket PATH [--clients N] [--events N] [--rate N] [--seconds N]\n"
                .utf8))
    exit(2)
}
switch options.mode {
case "throughput": throughput(options)
case "latency": latency(options)
default:
    FileHandle.standardError.write(Data("unknown mode \(options.mode)\n".utf8))
    exit(2)
}
