import IncidentCore

extension WebPages {
    /// The report periods offered: query value, label, length in days.
    public static let periods: [(value: String, label: String, days: Int)] = [
        ("7d", "Last 7 days", 7), ("30d", "Last 30 days", 30), ("90d", "Last 90 days", 90),
        ("365d", "Last year", 365),
    ]

    /// Incidents per day by kind, and MTTA and MTTR by priority, as SVG drawn here, with the figures in a table.
    public func reports(_ chrome: PageChrome, period: String, daily: DailyReport, lines: [ReportLine]) -> String {
        let perDay = SVGChart.stackedBars(
            days: daily.days, series: daily.series.map { ($0.kind.rawValue, $0.counts) },
            title: "Incidents opened per day by kind")
        func byPriority(_ value: (ReportLine) -> Double?) -> [(label: String, value: Double?, text: String)] {
            Priority.allCases.map { priority in
                let rows = lines.filter { $0.priority == priority }
                var total = 0.0
                var weight = 0
                for row in rows {
                    if let seconds = value(row) {
                        total += seconds * Double(row.count)
                        weight += row.count
                    }
                }
                let mean = weight == 0 ? nil : total / Double(weight)
                return (priority.rawValue, mean, mean.map { ElapsedText.format(seconds: $0) } ?? "no data")
            }
        }
        let sorted = lines.sorted { ($0.priority.number, $0.kind.rawValue) < ($1.priority.number, $1.kind.rawValue) }
        return page(
            "reports", chrome,
            [
                "periods": Self.periods.map {
                    ["value": $0.value, "label": $0.label, "selected": $0.value == period] as [String: Any]
                },
                "perDayHTML": perDay,
                "mttaHTML": SVGChart.horizontalBars(
                    rows: byPriority(\.meanTimeToAcknowledge), title: "Mean time to acknowledge by priority"),
                "mttrHTML": SVGChart.horizontalBars(
                    rows: byPriority(\.meanTimeToResolve), title: "Mean time to resolve by priority"),
                "hasLines": !sorted.isEmpty,
                "lines": sorted.map { line -> [String: Any] in
                    [
                        "priority": line.priority.rawValue, "kind": line.kind.rawValue, "count": line.count,
                        "mtta": line.meanTimeToAcknowledge.map { ElapsedText.format(seconds: $0) } ?? "-",
                        "mttr": line.meanTimeToResolve.map { ElapsedText.format(seconds: $0) } ?? "-",
                    ]
                },
            ])
    }

    /// The loaded rules in evaluation order with what each did in the period, and the explain form with its
    /// last result.
    public func rules(
        _ chrome: PageChrome, rules: [RuleSummary], activity: [RuleActivity], period: String, event: String,
        explanation: String?
    ) -> String {
        let byRule = Dictionary(activity.map { ($0.rule, $0) }, uniquingKeysWith: { first, _ in first })
        var context: [String: Any] = [
            "period": period, "event": event,
            "rows": rules.map { rule -> [String: Any] in
                let figures = byRule[rule.name] ?? .none(rule.name)
                return [
                    "name": rule.name, "location": rule.location, "kind": rule.kind.rawValue,
                    "matchers": rule.matchers.joined(separator: ", "), "drop": rule.drop,
                    "correlations": rule.correlationGroups, "incidents": figures.incidents, "events": figures.events,
                    "lastIncident": figures.lastOpenedAt.map { Self.time($0) } ?? "-",
                ]
            },
        ]
        if let explanation { context["explanation"] = explanation }
        return page("rules", chrome, context)
    }

    /// The knowledge base's search page: newest articles, or the hits of `query` with their matches marked.
    public func knowledgeBase(
        _ chrome: PageChrome, query: String, hits: [KnowledgeSearchHit]?, articles: [KnowledgeArticle]
    ) -> String {
        let rows: [[String: Any]]
        if let hits {
            rows = hits.map { hit in
                var row: [String: Any] = [
                    "slug": hit.slug, "title": hit.title, "snippetHTML": Self.markedSnippet(hit.snippet),
                ]
                if let incident = hit.incident { row["incident"] = Incident.id(incident) }
                return row
            }
        } else {
            rows = articles.map { article in
                var row: [String: Any] = ["slug": article.slug, "title": article.title]
                if let incident = article.incident { row["incident"] = Incident.id(incident) }
                return row
            }
        }
        return page(
            "kb", chrome,
            [
                "query": query, "searched": hits != nil, "hits": rows, "hasHits": !rows.isEmpty,
                "resultText": rows.count == 1 ? "1 article" : "\(rows.count) articles",
            ])
    }

    /// An article, its Markdown rendered by the safe renderer.
    public func knowledgeArticle(_ chrome: PageChrome, article: KnowledgeArticle) -> String {
        var context: [String: Any] = [
            "title": article.title, "author": article.author, "updatedAt": Self.time(article.updatedAt),
            "hasLearnings": !article.learnings.allSatisfy(\.isWhitespace),
            "learningsHTML": Markdown.html(article.learnings), "bodyHTML": Markdown.html(article.body),
        ]
        if let incident = article.incident { context["incident"] = ["number": incident, "id": Incident.id(incident)] }
        return page("kb-article", chrome, context)
    }

    /// The form for a new article, refilled after an error.
    public func knowledgeEdit(_ chrome: PageChrome, title: String, body: String, learnings: String) -> String {
        page("kb-edit", chrome, ["titleValue": title, "bodyValue": body, "learningsValue": learnings])
    }

    /// A search snippet as HTML: the text escaped, each match between the store's markers in `<mark>`.
    static func markedSnippet(_ snippet: String) -> String {
        var out: [UInt8] = []
        var marking = false
        for scalar in snippet.unicodeScalars {
            switch scalar {
            case "\u{E000}" where !marking:
                out += "<mark>".utf8
                marking = true
            case "\u{E001}" where marking:
                out += "</mark>".utf8
                marking = false
            case "\u{E000}", "\u{E001}": break
            default: Markdown.escape(Array(String(scalar).utf8), into: &out)
            }
        }
        if marking { out += "</mark>".utf8 }
        return String(decoding: out, as: UTF8.self)
    }
}
