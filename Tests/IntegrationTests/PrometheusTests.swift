import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SPEC §8: a real Prometheus 2.x uses incidentd as its alertmanager (`POST /api/v2/alerts`).
@Suite(.serialized) struct PrometheusTests {
    static let prometheus = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: prometheus != nil, "prometheus is not installed; scripts/setup installs it"))
    func prometheusDeliversItsAlertsToIncidentd() async throws {
        let port = try freePort()
        let daemon = try await RunningDaemon(rules: daemonRules, http: "127.0.0.1:\(port)")
        let promPort = try freePort()
        let dir = daemon.directory.appendingPathComponent("prometheus")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        global: { scrape_interval: 1s, evaluation_interval: 1s }
        rule_files: [\(dir.path)/rules.yml]
        alerting:
          alertmanagers:
            - api_version: v2
              authorization: { credentials_file: \(daemon.tokenFile) }
              static_configs: [{ targets: ['127.0.0.1:\(port)'] }]
        """.write(to: dir.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        try """
        groups:
          - name: incidentd-test
            interval: 1s
            rules:
              - alert: DiskFull
                expr: vector(1)
                labels: { host: prom-host, severity: critical }
                annotations: { summary: "always firing, for the integration test" }
        """.write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: Self.prometheus!)
        process.arguments = [
            "--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/data",
            "--web.listen-address=127.0.0.1:\(promPort)",
            // Prometheus drops the first batch when it goes out before its alertmanager discovery has synced (5 s
            // throttle) and resends a firing alert only after this delay, 1m by default.
            "--rules.alert.resend-delay=2s",
        ]
        let log = dir.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var incident: [String: Any]?
        let prometheusLog = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        try await waitUntil(
            "an incident from Prometheus", timeout: .seconds(90), poll: .milliseconds(500),
            detail: "\(prometheusLog().suffix(2000))\n\(daemon.log())"
        ) {
            let list = try await daemon.ctl("list", "--json")
            incident = ((jsonObject(list.stdout)["incidents"] as? [[String: Any]]) ?? []).first {
                $0["rule"] as? String == "disk-full"
            }
            return incident != nil
        }
        let found = try #require(incident)
        #expect(found["title"] as? String == "Disk full on prom-host")
        let labels = found["labels"] as? [String: String] ?? [:]
        #expect(labels["alertname"] == "DiskFull")
        #expect(labels["severity"] == "critical")
        // Prometheus re-sends a firing alert (every 2 s here); incidentd deduplicates it into the same alert of
        // the same incident. Waiting for the resend to be counted, rather than for 3 s, makes sure there was one.
        var show: [String: Any] = [:]
        try await waitUntil(
            "Prometheus's resend is counted", timeout: .seconds(60), poll: .milliseconds(500),
            detail: "\(show)\n\(prometheusLog().suffix(2000))"
        ) {
            show = await jsonObject(try daemon.ctl("show", found["id"] as? String ?? "", "--json").stdout)
            return (show["events"] as? Int ?? 0) >= 2
        }
        #expect(show["alerts"] as? Int == 1)
        await daemon.signal(SIGTERM)
    }
}

/// A TCP port nobody listens on now (bind to port 0, read it, close).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw HarnessError("cannot find a free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
