import Foundation
import Hummingbird
import IncidentCore

/// The routes behind the console's rules and reports pages (SPEC §14): the loaded rules with their activity,
/// "explain this event" (`?format=&source=&trace=true`), and incidents per day by kind.
extension APIRoutes {
    func addRuleRoutes(to router: Router<APIRequestContext>) {
        router.get("/api/v1/rules") { request, _ in
            let since = try Self.since(request.uri.queryParameters.get("since"), now: now())
            async let rules = api.rules()
            async let activity = api.ruleActivity(since: since)
            return try JSONResponse.make(RulesBody(since: since, rules: try await rules, activity: try await activity))
        }
        router.post("/api/v1/rules/explain") { request, _ in
            let parameters = request.uri.queryParameters
            let source = try parameters.get("source").map { name -> EventSource in
                guard let source = EventSource(rawValue: name) else {
                    throw APIError(
                        .badRequest,
                        "unknown source '\(name)': use \(EventSource.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return source
            }
            let format = parameters.get("format").flatMap { $0.isEmpty ? nil : $0 }
            let trace = ["1", "true", "yes"].contains(parameters.get("trace")?.lowercased() ?? "")
            let data = try await body(of: request)
            guard !data.isEmpty else {
                throw APIError(.badRequest, "the body is empty: POST an event as incidentd accepts it")
            }
            let explanations = try await api.explain(data, format: format, source: source, trace: trace)
            return try JSONResponse.make(ExplanationListBody(explanations: explanations))
        }
        router.get("/api/v1/report/daily") { request, _ in
            let time = now()
            let asked = try Self.since(request.uri.queryParameters.get("since") ?? "30d", now: time)
            let period = DailyReport.period(since: asked, until: time)
            let counts = try await api.dailyCounts(since: period.since, until: period.until)
            return try JSONResponse.make(DailyReportBody(DailyReport(counts: counts, since: asked, until: time)))
        }
    }
}
