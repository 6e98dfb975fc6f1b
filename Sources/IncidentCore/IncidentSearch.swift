import Foundation

/// One page of the web console's incident list (SPEC §14): the filters of `GET /api/v1/incidents` plus a free
/// text, a rule and an offset, so 10,000 incidents are read a page at a time.
public struct IncidentSearch: Sendable, Hashable {
    /// Empty means the active ones (open and acknowledged).
    public var states: Set<IncidentState>
    public var kind: IncidentKind?
    public var priority: Priority?
    /// Matched case-insensitively against the title, the labels and the rule, and as `INC-n` against the
    /// number; at most `maximumTextLength` characters are used.
    public var text: String?
    /// Only incidents of this rule (the incident page's "past incidents of the same rule").
    public var rule: String?
    /// Only incidents whose labels hold each of these exactly (the portal's "your reports": `reporter`).
    public var labels: [String: String]
    public var offset: Int
    public var limit: Int

    /// The longest free text a search uses; the rest is ignored.
    public static let maximumTextLength = 200

    public init(
        states: Set<IncidentState> = [], kind: IncidentKind? = nil, priority: Priority? = nil, text: String? = nil,
        rule: String? = nil, labels: [String: String] = [:], offset: Int = 0, limit: Int = 50
    ) {
        self.labels = labels
        self.states = states
        self.kind = kind
        self.priority = priority
        self.text = text
        self.rule = rule
        self.offset = offset
        self.limit = limit
    }

    /// The states searched: `states`, or the active ones when it is empty.
    public var effectiveStates: Set<IncidentState> {
        states.isEmpty ? [.open, .acknowledged] : states
    }

    /// The free text trimmed and cut to `maximumTextLength`, or nil when nothing is left.
    public var effectiveText: String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            return nil
        }
        return String(trimmed.prefix(Self.maximumTextLength))
    }
}

/// A page of incidents and how many match in all.
public struct IncidentPage: Sendable, Hashable {
    public var incidents: [Incident]
    /// Every incident the search matches, not only this page's.
    public var total: Int

    public init(incidents: [Incident], total: Int) {
        self.incidents = incidents
        self.total = total
    }
}
