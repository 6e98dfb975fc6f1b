import Foundation
import IncidentCore
import IncidentEngine
import IncidentServer
import Testing

@testable import IncidentDaemon

/// `DaemonAPI`'s silences, status and on-call over a real pipeline: ids, updates, expiry and the refusals as
/// `APIError`s (their HTTP statuses).
@Suite struct DaemonAPISilenceTests {
    let base: DaemonAPITests
    var api: DaemonAPI { base.api }

    init() throws { base = try DaemonAPITests() }

    static func request(id: String? = nil, comment: String = "resizing") -> PostableSilence {
        PostableSilence(
            id: id, matchers: [SilenceMatcher(name: "alertname", value: "DiskFull")],
            startsAt: fixedNow - .seconds(600), endsAt: fixedNow + .seconds(3600), createdBy: "ana", comment: comment)
    }

    @Test func aNewSilenceGetsALowercaseUUIDAndStartsNoEarlierThanNow() async throws {
        let id = try await api.upsertSilence(Self.request())
        #expect(UUID(uuidString: id) != nil)
        #expect(id == id.lowercased())
        let silences = try await api.silences()
        #expect(silences.map(\.id) == [id])
        #expect(silences.first?.startsAt == fixedNow)
        #expect(silences.first?.updatedAt == fixedNow)
        #expect(silences.first?.state(at: fixedNow) == .active)
        await base.running.stop()
    }

    @Test func anIdUpdatesThatSilenceAndAnUnknownIdIsNotFound() async throws {
        let id = try await api.upsertSilence(Self.request())
        #expect(try await api.upsertSilence(Self.request(id: id, comment: "still")) == id)
        #expect(try await api.silences().map(\.comment) == ["still"])
        #expect(await base.apiError { _ = try await api.upsertSilence(Self.request(id: "nope")) } == .notFound)
        await base.running.stop()
    }

    @Test func expiringEndsTheSilenceNowAndOnlyOnce() async throws {
        let id = try await api.upsertSilence(Self.request())
        try await api.expireSilence(id: id, by: "bo")
        let expired = try #require(try await api.silences().first)
        #expect(expired.endsAt == fixedNow)
        #expect(expired.state(at: fixedNow) == .expired)
        #expect(await base.apiError { try await api.expireSilence(id: id, by: "bo") } == .conflict)
        #expect(await base.apiError { try await api.expireSilence(id: "nope", by: "bo") } == .notFound)
        // An expired silence is not revived by an update: as in Alertmanager, it becomes a new one.
        let renewed = try await api.upsertSilence(Self.request(id: id))
        #expect(renewed != id)
        #expect(try await api.silences().count == 2)
        await base.running.stop()
    }

    @Test func statusNamesTheVersionAndTheReceivers() async throws {
        let status = try await api.status()
        #expect(status.version == IncidentdVersion.version)
        #expect(status.startedAt == fixedNow)
        #expect(status.receivers.first == "incidentd")
        let policies = await base.running.pipeline.inspect { $0.ruleSet.policies.keys.sorted() }
        #expect(Set(status.receivers) == Set(["incidentd"] + policies))
        await base.running.stop()
    }

    @Test func onCallListsTheSchedulesAndAnUnknownOneIsNotFound() async throws {
        let schedules = await base.running.pipeline.inspect { $0.ruleSet.schedules.keys.sorted() }
        #expect(try await api.onCall(at: fixedNow, schedule: nil).map(\.name) == schedules)
        #expect(await base.apiError { _ = try await api.onCall(at: fixedNow, schedule: "nope") } == .notFound)
        await base.running.stop()
    }
}
