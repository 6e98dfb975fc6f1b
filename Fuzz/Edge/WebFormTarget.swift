#if DEBUG
    import Foundation
    import FuzzSupport
    import IncidentWeb

    @testable import IncidentServer

    /// What a browser (or anyone) sends the web pages: a form or query string, read as the routes read it. The
    /// list's filters are accepted or refused with a 400; the portal's answers are accepted or refused with words
    /// for the person; a `next=` after signing in is a local path or nothing; and no URL that becomes a link is
    /// anything but http(s) or a local path.
    enum WebFormTarget {
        static let target = FuzzTarget("web-form") { data in
            let text = String(decoding: data, as: UTF8.self)
            let form = FormQuery(text)
            do {
                let search = try WebRoutes.search(form)
                FuzzCheck.require(search.offset >= 0 && search.limit == 50, "a page outside the list")
                FuzzCheck.require(
                    (search.effectiveText?.count ?? 0) <= IncidentSearch.maximumTextLength, "an unbounded search")
            } catch let error as APIError {
                FuzzCheck.require(error.code == .badRequest, "a filter refused with \(error.code)")
            } catch {
                FuzzCheck.require(false, "a filter refused with \(type(of: error)), a 500: \(error)")
            }
            let fields = Dictionary(form.items.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            do throws(PortalFormError) {
                let report = try PortalReport(form: fields)
                FuzzCheck.require(!report.summary.isEmpty && report.summary.count <= 200, "a summary out of bounds")
                FuzzCheck.require(!report.summary.contains(where: \.isNewline), "a summary over several lines")
                FuzzCheck.require(report.reported(by: "fuzz").kind == .userIssue, "a portal report not a user issue")
            } catch {
                FuzzCheck.require(!error.description.isEmpty, "a refusal without words")
            }
            for value in form.items.map(\.value) + [text] {
                if let path = WebRoutes.localPath(value) {
                    FuzzCheck.require(path.hasPrefix("/") && !path.hasPrefix("//"), "a next= leaving the site")
                }
                if let href = SafeLink.href(value) {
                    let lower = href.lowercased()
                    FuzzCheck.require(
                        lower.hasPrefix("http://") || lower.hasPrefix("https://")
                            || (href.hasPrefix("/") && !href.hasPrefix("//")), "a link to \(href)")
                    FuzzCheck.require(
                        !href.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F }, "a link with controls")
                }
            }
        }
    }
#endif
