import GRDB
import IncidentCore

extension SQLiteStore {
    /// One page of incidents newest opened first, and the count of all that match, in one read transaction so
    /// the two agree. Text matches the title, labels and rule with LIKE (its `%`, `_` and `\` escaped), and
    /// `INC-n` or a bare number matches that incident.
    public func searchIncidents(_ search: IncidentSearch) async throws -> IncidentPage {
        let states = search.effectiveStates
        guard search.limit > 0 else { return IncidentPage(incidents: [], total: 0) }
        var conditions = ["state IN (\(Array(repeating: "?", count: states.count).joined(separator: ", ")))"]
        var arguments = StatementArguments(states.map(\.rawValue).sorted())
        if let kind = search.kind {
            conditions.append("kind = ?")
            arguments += [kind.rawValue]
        }
        if let priority = search.priority {
            conditions.append("priority = ?")
            arguments += [priority.rawValue]
        }
        if let rule = search.rule {
            conditions.append("rule = ?")
            arguments += [rule]
        }
        for (name, value) in search.labels.sorted(by: { $0.key < $1.key }) {
            // The path is an argument too: a label name is never SQL, whatever it holds.
            conditions.append("json_extract(labels, ?) = ?")
            arguments += ["$.\"" + name.replacingOccurrences(of: "\"", with: "") + "\"", value]
        }
        if let text = search.effectiveText {
            let pattern = "%" + Self.likeEscaped(text) + "%"
            var alternatives = [
                "title LIKE ? ESCAPE '\\'", "labels LIKE ? ESCAPE '\\'", "rule LIKE ? ESCAPE '\\'",
            ]
            arguments += [pattern, pattern, pattern]
            if let number = Incident.number(from: text.uppercased()) {
                alternatives.append("number = ?")
                arguments += [number]
            }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        let filter = conditions.joined(separator: " AND ")
        let countArguments = arguments
        arguments += [search.limit, max(0, search.offset)]
        let sql = "SELECT * FROM incidents WHERE \(filter) ORDER BY opened_at DESC, number DESC LIMIT ? OFFSET ?"
        return try await read("search incidents in") { [arguments] db in
            let total =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incidents WHERE \(filter)", arguments: countArguments)
                ?? 0
            let incidents = try Row.fetchAll(db, sql: sql, arguments: arguments).map { try self.incident(from: $0) }
            return IncidentPage(incidents: incidents, total: total)
        }
    }

    /// `text` with LIKE's wildcards and its escape character escaped by `\`.
    static func likeEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
