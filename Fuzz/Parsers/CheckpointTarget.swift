import Foundation
import FuzzSupport
import IncidentEngine
import IncidentRules

/// `EngineState.decode`, the checkpoint the daemon reads at start (the compact form compressed, or the compact
/// form or JSON from older versions): damaged bytes are an error, never a crash; what decodes encodes again to
/// bytes that decode to the same state, and an engine can be restored from it.
enum CheckpointTarget {
    static let ruleSet = RuleSetLoader().load(text: "", file: "empty.yaml").ruleSet!

    static let target = FuzzTarget("checkpoint") { data in
        guard let state = try? EngineState.decode(data) else { return }
        guard let encoded = try? state.encoded() else {
            FuzzCheck.require(false, "a decoded checkpoint does not encode")
            return
        }
        guard let again = try? EngineState.decode(encoded) else {
            FuzzCheck.require(false, "a re-encoded checkpoint does not decode")
            return
        }
        // Canonical JSON compares states; it can fail where JSON cannot hold a value (a NaN), which is no bug.
        if let a = try? state.canonicalJSON(), let b = try? again.canonicalJSON() {
            FuzzCheck.require(a == b, "the state changed in a round trip")
        }
        _ = CorrelationEngine(restoring: state, ruleSet: ruleSet)
    }
}
