import IncidentCore

/// `POST /api/v1/rules/explain`: `{"explanations": [explanation, ...]}`, one per event of the payload, each as
/// `incidentctl rules explain --json` prints it.
struct ExplanationListBody: Encodable, Sendable {
    var explanations: [EventExplanation]
}
