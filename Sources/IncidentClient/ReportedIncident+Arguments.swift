import IncidentCore

extension ReportedIncident {
    /// `incidentctl open`'s values checked: the error names the bad value and the valid ones.
    public init(
        kind: String, title: String, impact: String?, urgency: String?, labels: [String: String], by person: String
    ) throws(UsageError) {
        func choice<T: RawRepresentable & CaseIterable>(_ text: String, _ option: String, _: T.Type) throws(UsageError)
            -> T
        where T.RawValue == String {
            guard let value = T(rawValue: text) else {
                throw UsageError(
                    "\(option) '\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        guard !title.allSatisfy(\.isWhitespace) else { throw UsageError("--title is empty: say what is wrong") }
        guard !person.allSatisfy(\.isWhitespace) else { throw UsageError("--by is empty") }
        self.init(
            kind: try choice(kind, "--kind", IncidentKind.self), title: title,
            impact: try impact.map { text throws(UsageError) in try choice(text, "--impact", Impact.self) } ?? .medium,
            urgency: try urgency.map { text throws(UsageError) in try choice(text, "--urgency", Urgency.self) }
                ?? .medium,
            labels: Labels(labels), by: person)
    }
}
