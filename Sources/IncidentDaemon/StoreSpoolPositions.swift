import IncidentCore
import IncidentIngest

/// The spool source's positions in the daemon's store, where the pipeline commits them with the events.
struct StoreSpoolPositions: SpoolPositionStore {
    let store: any IncidentStore

    func position(_ key: String) async throws -> String? {
        try await store.sourcePosition(key)
    }

    func positions(withPrefix prefix: String) async throws -> [String: String] {
        try await store.sourcePositions(withPrefix: prefix)
    }

    func forget(_ positions: [String: String]) async throws -> Int {
        try await store.forgetSourcePositions(positions)
    }
}
