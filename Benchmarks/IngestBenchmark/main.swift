import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// Load generator for incidentd and the peers (Benchmarks/run), measured from outside as a client sees it.
// Over incidentd's Unix socket an event counts when its reply line has arrived (sent only after the transaction
// holding it committed); over HTTP (`POST /api/v2/alerts`, incidentd or Alertmanager) when the 2xx has
// arrived: incidentd answers after the commit, Alertmanager after storing the alert in memory.
//
//   ingest-bench throughput --socket PATH --clients N [--events N | --file NDJSON] [--batch N] [--max-seconds N]
//   ingest-bench http --url http://127.0.0.1:PORT [--clients N] [--events N | --file NDJSON] [--batch N]
//                     [--rate EVENTS_PER_S] [--max-seconds N]
//   ingest-bench latency --socket PATH --rate N --seconds N [--clients N] [--fingerprints N] [--dump FILE]
//
// Without --file the alerts are synthetic (--fingerprints distinct label sets, all firing). With --file each
// line of the file is one alert object in Alertmanager API v2 form (Benchmarks/peers/gen.py renders one seeded
// stream this way); lines are partitioned over the clients by label set, so one fingerprint's events stay in
// order on one connection. --batch N sends N alerts per socket line or HTTP body (a JSON array). Every loop is
// bounded by the event count and --max-seconds. Nothing spins: waits sleep or block in poll(2).

struct Options {
    var mode = "throughput"
    var socket = ""
    var url = ""
    var file = ""
    var clients = 1
    var events = 100_000
    var fingerprints = 2_000
    var batch = 1
    var rate = 0
    var seconds = 10
    var maxSeconds = 60.0
    var label = ""
    /// latency: writes each event's send time and latency (nanoseconds from the first send, microseconds) to
    /// this file, one `client send_ns latency_us` line an event, for a time series of the tail.
    var dump = ""

    init(_ args: [String]) {
        var it = args.makeIterator()
        if let first = it.next() { mode = first }
        while let arg = it.next() {
            let value = it.next() ?? ""
            switch arg {
            case "--socket": socket = value
            case "--url": url = value
            case "--file": file = value
            case "--clients": clients = max(1, Int(value) ?? clients)
            case "--events": events = Int(value) ?? events
            case "--fingerprints": fingerprints = Int(value) ?? fingerprints
            case "--batch": batch = max(1, Int(value) ?? batch)
            case "--rate": rate = Int(value) ?? rate
            case "--seconds": seconds = Int(value) ?? seconds
            case "--max-seconds": maxSeconds = Double(value) ?? maxSeconds
            case "--label": label = value
            case "--dump": dump = value
            default: fail("unknown option \(arg)", code: 2)
            }
        }
    }
}

func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("ingest-bench: \(message)\n".utf8))
    exit(code)
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
    if ok != 0 { fail("cannot connect to \(path): errno \(errno)") }
    return fd
}

/// `http://HOST:PORT[/...]` with a numeric IPv4 host (the harness uses 127.0.0.1 only).
/// `Authorization: Bearer TOKEN` from `$BENCH_TOKEN` (incidentd's TCP listener needs one; Alertmanager ignores it).
let authorization = ProcessInfo.processInfo.environment["BENCH_TOKEN"].map { "Authorization: Bearer \($0)\r\n" } ?? ""

func connectTCP(_ url: String) -> Int32 {
    var rest = Substring(url)
    if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
    let hostPort = rest.split(separator: "/", maxSplits: 1).first ?? ""
    let parts = hostPort.split(separator: ":")
    guard parts.count == 2, let port = UInt16(parts[1]) else { fail("--url must be http://HOST:PORT, not \(url)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    guard inet_pton(AF_INET, String(parts[0]), &address.sin_addr) == 1 else { fail("bad IPv4 host in \(url)") }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    let ok = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    if ok != 0 { fail("cannot connect to \(url): errno \(errno)") }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    return fd
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { fail("write failed: errno \(errno)") }
        offset += n
    }
}

/// The alert names of the peers' generator (Benchmarks/peers/gen.py), so the shipped rules see a realistic mix.
let alertNames = [
    "HighCPU", "HighMemory", "DiskFull", "InstanceDown", "HighLatency", "ErrorRate", "QueueBacklog", "CertExpiry",
    "PodCrashLoop", "NodeNotReady", "SlowQueries", "ReplicationLag", "HighLoad", "NetworkErrors", "OOMKilled",
    "TargetMissing",
]
let severities = ["critical", "warning", "info"]

/// One synthetic firing alert, without the newline.
func alert(client: Int, seq: Int, fingerprints: Int) -> [UInt8] {
    let i = (client * 7919 + seq) % fingerprints
    let name = alertNames[i % alertNames.count]
    let service = "svc-\(i / alertNames.count % 10)"
    let severity = severities[i % severities.count]
    return Array(
        ("{\"labels\":{\"alertname\":\"\(name)\",\"service\":\"\(service)\",\"instance\":\"node-\(i):9100\","
            + "\"severity\":\"\(severity)\"},\"annotations\":{\"summary\":\"\(name) on node-\(i)\","
            + "\"seq\":\"\(client)-\(seq)\"}}").utf8)
}

func line(client: Int, seq: Int, fingerprints: Int) -> [UInt8] {
    alert(client: client, seq: seq, fingerprints: fingerprints) + [0x0A]
}

func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func sleepUntil(_ due: UInt64) {
    // Sleep, never spin: a spinning load generator starves the daemon on a 2-core machine.
    while true {
        let now = nowNanos()
        if now >= due { return }
        usleep(UInt32(max(1, min(100_000, (due - now) / 1000))))
    }
}

/// The alerts each client sends, as raw JSON objects: from --file, partitioned by label set, or synthetic.
func alertsPerClient(_ o: Options) -> [[[UInt8]]] {
    guard !o.file.isEmpty else {
        let perClient = o.events / o.clients
        return (0..<o.clients).map { c in
            (0..<perClient).map { alert(client: c, seq: $0, fingerprints: o.fingerprints) }
        }
    }
    guard let data = FileManager.default.contents(atPath: o.file) else { fail("cannot read \(o.file)") }
    var out = [[[UInt8]]](repeating: [], count: o.clients)
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        var start = 0
        for i in 0..<raw.count where raw[i] == 0x0A {
            if i > start {
                let bytes = Array(raw[start..<i])
                // FNV-1a over the `"labels":{...}` object: one label set, one client.
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                if let from = firstIndex(of: Array("\"labels\"".utf8), in: bytes) {
                    var j = from
                    while j < bytes.count, bytes[j] != UInt8(ascii: "}") {
                        hash = (hash ^ UInt64(bytes[j])) &* 0x100_0000_01b3
                        j += 1
                    }
                }
                out[Int(hash % UInt64(o.clients))].append(bytes)
            }
            start = i + 1
        }
    }
    return out
}

func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
        if Array(haystack[i..<(i + needle.count)]) == needle { return i }
    }
    return nil
}

/// Groups alerts into JSON arrays of `batch` (a bare object when batch is 1, unless `array`: the Alertmanager
/// API takes arrays only).
func payloads(_ alerts: [[UInt8]], batch: Int, array: Bool = false) -> [(body: [UInt8], count: Int)] {
    var out: [(body: [UInt8], count: Int)] = []
    out.reserveCapacity(alerts.count / batch + 1)
    var k = 0
    while k < alerts.count {
        let chunk = alerts[k..<min(alerts.count, k + batch)]
        if batch == 1 && !array {
            out.append((chunk.first!, 1))
        } else {
            var body: [UInt8] = [UInt8(ascii: "[")]
            for (n, a) in chunk.enumerated() {
                if n > 0 { body.append(UInt8(ascii: ",")) }
                body += a
            }
            body.append(UInt8(ascii: "]"))
            out.append((body, chunk.count))
        }
        k += batch
    }
    return out
}

/// Waits (blocking in poll, 100 ms at most) for `fd` to be readable.
func readable(_ fd: Int32, timeoutMillis: Int32 = 100) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, timeoutMillis) > 0
}

final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

struct Counts: Sendable {
    var acked = 0
    var failed = 0
}

func report(_ o: Options, kind: String, seconds: Double, acked: Int, failed: Int, extra: String = "") {
    print(
        String(
            format: "%@%@ clients=%d batch=%d events=%d seconds=%.2f acked_per_s=%.0f failed=%d%@",
            kind, o.label.isEmpty ? "" : " \(o.label)", o.clients, o.batch, acked, seconds,
            Double(acked) / max(seconds, 1e-9), failed, extra))
}

/// Socket: each client pipelines its lines (a writer thread and a reader thread per connection).
func throughput(_ o: Options) {
    let work = alertsPerClient(o).map { payloads($0, batch: o.batch) }
    let acked = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let start = nowNanos()
    let deadline = start + UInt64(o.maxSeconds * 1e9)
    let group = DispatchGroup()
    for c in 0..<o.clients {
        let fd = connectUnix(o.socket)
        let lines = work[c]
        let linesSent = Atomic<Int>(0)
        let writerDone = Atomic<Bool>(false)
        group.enter()
        Thread {
            var chunk: [UInt8] = []
            var n = 0
            for p in lines {
                chunk += p.body
                chunk.append(0x0A)
                n += 1
                if chunk.count > 32_768 {
                    writeAll(fd, chunk)
                    chunk.removeAll(keepingCapacity: true)
                    linesSent.store(n, ordering: .releasing)
                    if nowNanos() > deadline { break }
                }
            }
            writeAll(fd, chunk)
            linesSent.store(n, ordering: .releasing)
            writerDone.store(true, ordering: .releasing)
        }.start()
        Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var partial: [UInt8] = []
            var seen = 0
            let hardStop = deadline + 60_000_000_000
            while !(writerDone.load(ordering: .acquiring) && seen >= linesSent.load(ordering: .acquiring)) {
                if nowNanos() > hardStop { fail("no replies for 60 s after the deadline (\(seen) seen)") }
                guard readable(fd) else { continue }
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { fail("connection closed after \(seen) replies") }
                var from = 0
                for i in 0..<n where buffer[i] == 0x0A {
                    partial.append(contentsOf: buffer[from..<i])
                    // `{"ok":true` starts every success reply.
                    if partial.count > 9 && partial[6] == UInt8(ascii: "t") {
                        acked.add(lines[seen].count, ordering: .relaxed)
                    } else {
                        failures.add(1, ordering: .relaxed)
                    }
                    partial.removeAll(keepingCapacity: true)
                    seen += 1
                    from = i + 1
                }
                partial.append(contentsOf: buffer[from..<n])
            }
            close(fd)
            group.leave()
        }.start()
    }
    group.wait()
    let seconds = Double(nowNanos() - start) / 1e9
    report(
        o, kind: "throughput", seconds: seconds, acked: acked.load(ordering: .relaxed),
        failed: failures.load(ordering: .relaxed))
}

/// Reads one HTTP/1.1 response (Content-Length or chunked body); returns its status code.
func readResponse(_ fd: Int32, _ buffer: inout [UInt8], _ pending: inout [UInt8]) -> Int {
    func fill() {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { fail("HTTP connection closed (errno \(errno))") }
        pending.append(contentsOf: buffer[0..<n])
    }
    let crlf2: [UInt8] = [13, 10, 13, 10]
    var headerEnd: Int?
    while headerEnd == nil {
        if pending.count >= 4 {
            for i in 0...(pending.count - 4)
            where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
                headerEnd = i
                break
            }
        }
        if headerEnd == nil { fill() }
    }
    let head = String(decoding: pending[0..<headerEnd!], as: UTF8.self).lowercased()
    pending.removeFirst(headerEnd! + crlf2.count)
    let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
    var length = 0
    var chunked = false
    for field in head.split(separator: "\r\n") {
        if field.hasPrefix("content-length:") {
            length = Int(field.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
        } else if field.hasPrefix("transfer-encoding:") && field.contains("chunked") {
            chunked = true
        }
    }
    if chunked {
        // Read until the terminating zero-length chunk.
        while true {
            if let end = firstIndex(of: [48, 13, 10, 13, 10], in: pending) {
                pending.removeFirst(end + 5)
                return status
            }
            fill()
        }
    }
    while pending.count < length { fill() }
    pending.removeFirst(length)
    return status
}

/// HTTP: one keep-alive connection per client, one request in flight on each (as Prometheus sends).
func http(_ o: Options) {
    let work = alertsPerClient(o).map { payloads($0, batch: o.batch, array: true) }
    let path = o.url.dropFirst(7).firstIndex(of: "/").map { String(o.url[$0...]) } ?? "/api/v2/alerts"
    let hostPort = o.url.dropFirst(7).split(separator: "/").first.map(String.init) ?? ""
    let acked = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let latencies = Box([[UInt64]](repeating: [], count: o.clients))
    let start = nowNanos() + 20_000_000
    let deadline = start + UInt64(o.maxSeconds * 1e9)
    // With --rate, requests are paced to that many events per second in total.
    let interval: UInt64 = o.rate > 0 ? UInt64(1e9 * Double(o.batch * o.clients) / Double(o.rate)) : 0
    let group = DispatchGroup()
    for c in 0..<o.clients {
        let fd = connectTCP(o.url)
        let requests = work[c]
        group.enter()
        Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var pending: [UInt8] = []
            var times: [UInt64] = []
            times.reserveCapacity(requests.count)
            let begin = start + (interval > 0 ? UInt64(c) * interval / UInt64(o.clients) : 0)
            sleepUntil(begin)
            for (k, r) in requests.enumerated() {
                if interval > 0 { sleepUntil(begin + UInt64(k) * interval) }
                let t0 = nowNanos()
                if t0 > deadline { break }
                var request = Array(
                    ("POST \(path) HTTP/1.1\r\nHost: \(hostPort)\r\nContent-Type: application/json\r\n"
                        + authorization + "Content-Length: \(r.body.count)\r\n\r\n").utf8)
                request += r.body
                writeAll(fd, request)
                let status = readResponse(fd, &buffer, &pending)
                times.append(nowNanos() - t0)
                if (200..<300).contains(status) {
                    acked.add(r.count, ordering: .relaxed)
                } else {
                    if failures.add(1, ordering: .relaxed).newValue == 1 {
                        FileHandle.standardError.write(Data("ingest-bench: first failure: HTTP \(status)\n".utf8))
                    }
                }
            }
            latencies.value[c] = times
            close(fd)
            group.leave()
        }.start()
    }
    group.wait()
    let seconds = Double(nowNanos() - start) / 1e9
    let all = latencies.value.flatMap { $0 }.sorted()
    func pct(_ p: Double) -> Double {
        all.isEmpty ? 0 : Double(all[min(all.count - 1, Int(Double(all.count) * p))]) / 1e6
    }
    report(
        o, kind: "http", seconds: seconds, acked: acked.load(ordering: .relaxed),
        failed: failures.load(ordering: .relaxed),
        extra: String(
            format: " requests=%d request_p50_ms=%.3f request_p99_ms=%.3f", all.count, pct(0.5), pct(0.99)))
}

/// Reads reply lines; calls `onReply(ok)` per line; returns after `count` lines.
func readReplies(_ fd: Int32, count: Int, onReply: (Bool) -> Void) {
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var partial: [UInt8] = []
    var seen = 0
    while seen < count {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { fail("connection closed after \(seen) replies") }
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

func latency(_ o: Options) {
    let total = o.rate * o.seconds
    let perClient = total / o.clients
    let intervalNanos = UInt64(1_000_000_000) * UInt64(o.clients) / UInt64(o.rate)
    let samples = Box([[UInt64]](repeating: [], count: o.clients))
    let sendTimes = Box([[UInt64]](repeating: [], count: o.clients))
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
                sleepUntil(begin + UInt64(i) * intervalNanos)
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
                // The reply cannot precede its write; this wait is at most the few instructions between
                // the writer's store and its send.
                while sentCount.load(ordering: .acquiring) <= i { sched_yield() }
                latencies.append(now - sent.value[i])
                if !ok { failures.add(1, ordering: .relaxed) }
                i += 1
            }
            samples.value[c] = latencies
            sendTimes.value[c] = sent.value
            close(fd)
            group.leave()
        }.start()
    }
    group.wait()
    if !o.dump.isEmpty {
        let first = sendTimes.value.compactMap(\.first).min() ?? 0
        var text = ""
        for c in 0..<o.clients {
            for (sent, latency) in zip(sendTimes.value[c], samples.value[c]) {
                text += "\(c) \(sent - first) \(latency / 1000)\n"
            }
        }
        guard FileManager.default.createFile(atPath: o.dump, contents: Data(text.utf8)) else {
            fail("cannot write \(o.dump)")
        }
    }
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
switch options.mode {
case "throughput", "latency":
    if options.socket.isEmpty { fail("\(options.mode) needs --socket PATH", code: 2) }
    if options.mode == "throughput" { throughput(options) } else { latency(options) }
case "http":
    if options.url.isEmpty { fail("http needs --url http://127.0.0.1:PORT", code: 2) }
    http(options)
default:
    fail(
        "usage: ingest-bench throughput|latency --socket PATH ... | http --url http://127.0.0.1:PORT ... (see the source)",
        code: 2)
}
