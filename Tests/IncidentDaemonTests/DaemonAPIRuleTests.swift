import Foundation
import IncidentCore
import IncidentEngine
import IncidentPayload
import IncidentRules
import IncidentServer
import IncidentStore
import Logging
import Testing

@testable import IncidentDaemon

/// The rules and reports side of `DaemonAPI` (SPEC §14) over a real pipeline and store: the rules are the ones
/// in effect, also after a reload; explanations are those of `incidentctl rules explain`.
@Suite struct DaemonAPIRuleTests {
    let directory = tempDir()
    let store: SQLiteStore
    let running: RunningPipeline
    let api: DaemonAPI

    init() throws {
        store = try SQLiteStore(path: directory + "/api.sqlite")
        running = RunningPipeline(store: store)
        api = DaemonAPI(
            pipeline: running.pipeline, store: store, decoder: PayloadDecoder(maxPayloadBytes: 4096),
            metrics: running.pipeline.metrics, readiness: { Readiness(details: [:]) }, now: { fixedNow })
    }

    @Test func rulesFollowAReload() async throws {
        #expect(try await api.rules().map(\.name) == ["disk"])
        #expect(try await api.rules().first?.escalation == ["default"])
        let rulesPath = directory + "/rules.yaml"
        try
            (rulesYAML.replacingOccurrences(
                of: "rules:\n", with: "rules:\n  - { name: host, match: ['alertname=\"HostDown\"'] }\n"))
            .write(toFile: rulesPath, atomically: true, encoding: .utf8)
        let configPath = directory + "/incidentd.yaml"
        try """
        state_dir: \(directory)/state
        rules: [\(rulesPath)]
        notifiers:
          - { name: oncall, type: journal }
          - { name: lead, type: journal }
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let reload = ReloadService(
            configPath: configPath, pipeline: running.pipeline, metrics: running.pipeline.metrics,
            logger: quiet, notifier: SystemdNotifier(),
            hooks: DaemonHooks())
        #expect(await reload.reload())
        let rules = try await api.rules()
        #expect(rules.map(\.name) == ["host", "disk"])
        #expect(rules[0].location == rulesPath + ":2")
        // The explanation uses the new set too.
        let explained = try await api.explain(
            Data(#"{"labels":{"alertname":"HostDown","host":"db1"}}"#.utf8), format: nil, source: nil, trace: true)
        #expect(explained.map { $0.match?.rule } == ["host"])
        #expect(explained.first?.trace?.map(\.rule) == ["host"])
        await running.stop()
    }

    @Test func activityAndDailyCountsComeFromTheStore() async throws {
        _ = try await api.ingest(
            Data(
                #"[{"labels":{"alertname":"DiskFull","host":"db1"}},{"labels":{"alertname":"DiskFull","host":"db2"}}]"#
                    .utf8),
            format: "generic", source: .http)
        let activity = try await api.ruleActivity(since: fixedNow - .seconds(60))
        #expect(activity.map(\.rule) == ["disk"])
        #expect(activity.first?.incidents == 2)
        #expect(activity.first?.events == 2)
        #expect(activity.first?.lastOpenedAt != nil)
        let daily = try await api.dailyCounts(since: fixedNow - .seconds(86_400), until: fixedNow + .seconds(60))
        #expect(daily == [DailyCount(day: "2026-03-01", kind: .degradation, count: 2)])
        await running.stop()
    }

    @Test func explainDecodesAsTheCLIDoesAndRefusesWhatItCannotRead() async throws {
        let explained = try await api.explain(
            Data(#"{"labels":{"alertname":"DiskFull","host":"db1"}}"#.utf8), format: "generic", source: .spool,
            trace: false)
        #expect(explained.count == 1)
        #expect(explained[0].source == .spool)
        #expect(explained[0].trace == nil)
        #expect(explained[0].match?.incident?.groupKey == #"disk{host="db1"}"#)
        // A journal entry is explained too (the ingest API refuses the journal format; explain takes it).
        let journal = try await api.explain(
            Data(#"{"MESSAGE":"x","SYSLOG_IDENTIFIER":"sshd","_HOSTNAME":"h","PRIORITY":"3"}"#.utf8),
            format: "journal", source: nil, trace: false)
        #expect(journal.first?.match == nil)
        #expect(journal.first?.inputLabels["host"] == "h")
        for (body, format, code) in [
            ("{not json", nil, APIError.Code.badRequest), ("{}", "carrier-pigeon", .badRequest),
            (String(repeating: " ", count: 5000) + "{}", nil, .payloadTooLarge),
        ] as [(String, String?, APIError.Code)] {
            do {
                _ = try await api.explain(Data(body.utf8), format: format, source: nil, trace: false)
                Issue.record("no error for \(body.prefix(20))")
            } catch let error as APIError {
                #expect(error.code == code)
            }
        }
        #expect(try await store.eventCount() == 0, "explaining records nothing")
        await running.stop()
    }
}
