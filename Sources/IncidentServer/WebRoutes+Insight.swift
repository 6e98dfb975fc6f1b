import Foundation
import HTTPTypes
import Hummingbird
import IncidentCore
import IncidentWeb

extension WebRoutes {
    /// Reports, rules with "explain this event", and the knowledge base.
    func addInsight(to router: Router<APIRequestContext>) {
        on(router, .get, "/reports", .console) { _, _, identity, query in
            let period = WebPages.periods.first { $0.value == query.get("since") } ?? WebPages.periods[1]
            let time = now()
            let range = DailyReport.period(since: time - .seconds(Int64(period.days) * 86_400), until: time)
            let daily = DailyReport(
                counts: try await api.dailyCounts(since: range.since, until: range.until), since: range.since,
                until: range.until)
            return Self.html(
                pages.reports(
                    chrome(identity, title: "Reports", section: .reports), period: period.value, daily: daily,
                    lines: try await api.report(since: range.since)))
        }
        on(router, .get, "/rules", .console) { _, _, identity, _ in
            Self.html(try await rulesPage(identity, event: "", explanation: nil))
        }
        on(router, .post, "/rules/explain", .console) { _, _, identity, form in
            let event = form.get("event") ?? ""
            guard !event.allSatisfy(\.isWhitespace) else {
                throw APIError(.badRequest, "Paste an event to explain.")
            }
            let explanations = try await api.explain(Data(event.utf8), format: nil, source: nil, trace: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let text = String(decoding: try encoder.encode(explanations), as: UTF8.self)
            return Self.html(try await rulesPage(identity, event: event, explanation: text))
        }
        on(router, .get, "/kb", .console) { _, _, identity, query in
            let text = String((query.get("q") ?? "").prefix(200))
            let searched = !text.allSatisfy(\.isWhitespace)
            return Self.html(
                pages.knowledgeBase(
                    chrome(identity, title: "Knowledge base", section: .kb), query: text,
                    hits: searched ? try await api.searchArticles(text, limit: 50) : nil,
                    articles: searched ? [] : try await api.articles(limit: 50, offset: 0)))
        }
        on(router, .get, "/kb/new", .operators) { _, _, identity, _ in
            Self.html(
                pages.knowledgeEdit(
                    chrome(identity, title: "Write an article", section: .kb), title: "", body: "", learnings: ""))
        }
        on(router, .get, "/kb/{slug}", .console) { _, context, identity, _ in
            let slug = context.parameters.get("slug") ?? ""
            guard let article = try await api.article(slug: slug) else {
                throw APIError(.notFound, "There is no article '\(slug)'.")
            }
            return Self.html(
                pages.knowledgeArticle(chrome(identity, title: article.title, section: .kb), article: article))
        }
        on(router, .post, "/kb", .operators) { _, _, identity, form in
            let draft = KnowledgeArticleDraft(
                title: (form.get("title") ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
                body: form.get("body") ?? "", learnings: form.get("learnings") ?? "", author: identity?.name ?? "")
            if let problem = draft.problem {
                return Self.html(
                    pages.knowledgeEdit(
                        chrome(identity, title: "Write an article", section: .kb, error: problem), title: draft.title,
                        body: draft.body, learnings: draft.learnings), status: .badRequest)
            }
            let article = try await api.saveArticle(draft)
            return Self.redirect("/kb/\(article.slug)")
        }
        on(router, .post, "/kb/from-incident/{id}", .operators) { _, context, identity, form in
            let number = try Self.number(context)
            guard let detail = try await api.incident(number) else {
                throw APIError(.notFound, "There is no incident \(Incident.id(number)).")
            }
            let article = try await api.saveArticle(
                KnowledgeArticleDraft(
                    title: String(
                        "\(detail.incident.id): \(detail.incident.title)".split(whereSeparator: \.isNewline)
                            .joined(separator: " ").prefix(200)),
                    body: ReviewDocument.render(detail, now: now()), learnings: form.get("learnings") ?? "",
                    incident: number, author: identity?.name ?? ""))
            return Self.redirect("/kb/\(article.slug)")
        }
    }

    func rulesPage(_ identity: WebIdentity?, event: String, explanation: String?) async throws -> String {
        let time = now()
        return pages.rules(
            chrome(identity, title: "Rules", section: .rules), rules: try await api.rules(),
            activity: try await api.ruleActivity(since: time - .seconds(7 * 86_400)), period: "7 days", event: event,
            explanation: explanation)
    }
}
