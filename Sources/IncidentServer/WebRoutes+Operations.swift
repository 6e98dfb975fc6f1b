import HTTPTypes
import Hummingbird
import IncidentCore
import IncidentWeb

extension WebRoutes {
    /// Silences (list, create from matchers or from an incident's labels, expire) and who is on call.
    func addOperations(to router: Router<APIRequestContext>) {
        on(router, .get, "/silences", .console) { _, _, identity, query in
            let flash =
                query.get("done") == "silence"
                ? "Silence created." : query.get("done") == "expire" ? "Silence expired." : nil
            return Self.html(
                pages.silences(
                    chrome(identity, title: "Silences", section: .silences, flash: flash),
                    silences: try await api.silences(), showAll: query.get("all") == "1", now: now()))
        }
        on(router, .post, "/silences", .operators) { _, _, identity, form in
            let time = now()
            let matchers: [SilenceMatcher]
            var back = "/silences?done=silence"
            if let from = form.get("from"), !from.isEmpty {
                guard let number = Incident.number(from: from), let detail = try await api.incident(number) else {
                    throw APIError(.notFound, "There is no incident \(from).")
                }
                matchers = detail.incident.labels.map { SilenceMatcher(name: $0.name, value: $0.value) }
                guard !matchers.isEmpty else {
                    throw APIError(
                        .badRequest,
                        "\(detail.incident.id) has no labels common to its alerts: create the silence on the Silences page with matchers of your own."
                    )
                }
                back = "/incidents/\(number)?done=silence"
            } else {
                let lines = (form.get("matchers") ?? "").split(whereSeparator: \.isNewline).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }.filter { !$0.isEmpty }
                do throws(SilenceMatcherError) {
                    matchers = try SilenceMatcher.parseList(lines)
                } catch {
                    throw APIError(.badRequest, error.message)
                }
            }
            guard let duration = form.get("duration").flatMap(DurationText.parse), duration > .zero,
                duration <= .seconds(90 * 86_400)
            else { throw APIError(.badRequest, "Choose how long the silence lasts (up to 90 days).") }
            let comment = (form.get("comment") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let silence = PostableSilence(
                matchers: matchers, startsAt: time, endsAt: time + duration, createdBy: identity?.name ?? "",
                comment: comment)
            do throws(SilenceMatcherError) {
                try silence.validate(now: time)
            } catch {
                throw APIError(.badRequest, error.message)
            }
            _ = try await api.upsertSilence(silence)
            return Self.redirect(back)
        }
        on(router, .post, "/silences/{id}/expire", .operators) { _, context, identity, _ in
            try await api.expireSilence(id: context.parameters.get("id") ?? "", by: identity?.name ?? "")
            return Self.redirect("/silences?done=expire")
        }
        on(router, .get, "/oncall", .console) { _, _, identity, _ in
            Self.html(
                pages.onCall(
                    chrome(identity, title: "On call", section: .oncall),
                    schedules: try await api.onCall(at: now(), schedule: nil)))
        }
    }
}
