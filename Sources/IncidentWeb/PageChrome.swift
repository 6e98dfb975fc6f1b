/// What every page's frame shows: who is signed in, the navigation their role may use, messages, the CSRF
/// token for forms, and whether the page updates itself.
public struct PageChrome: Sendable {
    /// The person signed in; nil on the sign-in page and the public status page.
    public struct Person: Sendable {
        public var name: String
        public var role: String
        /// False for identities from the trusted proxy header or the control socket, which have no session to end.
        public var canSignOut: Bool

        public init(name: String, role: String, canSignOut: Bool) {
            self.name = name
            self.role = role
            self.canSignOut = canSignOut
        }
    }

    /// The parts of the site, for the navigation and `aria-current`.
    public enum Section: String, Sendable, CaseIterable {
        case incidents, silences, oncall, reports, rules, kb, portal, status, login
    }

    public var title: String
    public var section: Section
    public var person: Person?
    public var csrf: String
    public var flash: String?
    public var error: String?
    public var live: Bool
    /// Whether the status page can be linked for people who are not signed in.
    public var statusPublic: Bool

    public init(
        title: String, section: Section, person: Person?, csrf: String, flash: String? = nil, error: String? = nil,
        live: Bool = false, statusPublic: Bool = false
    ) {
        self.title = title
        self.section = section
        self.person = person
        self.csrf = csrf
        self.flash = flash
        self.error = error
        self.live = live
        self.statusPublic = statusPublic
    }

    /// Viewers, operators and the control socket's admin read the console; reporters only the portal.
    public var readsConsole: Bool {
        guard let role = person?.role else { return false }
        return role != "reporter"
    }

    /// Operators and admin act; viewers and reporters only read.
    public var canAct: Bool {
        person?.role == "operator" || person?.role == "admin"
    }

    var navigation: [(Section, String, String)] {
        var items: [(Section, String, String)] = []
        if readsConsole {
            items += [
                (.incidents, "/", "Incidents"), (.silences, "/silences", "Silences"), (.oncall, "/oncall", "On call"),
                (.reports, "/reports", "Reports"), (.rules, "/rules", "Rules"), (.kb, "/kb", "Knowledge base"),
            ]
        }
        if person != nil { items.append((.portal, "/portal", "Report a problem")) }
        if person != nil || statusPublic { items.append((.status, "/status", "Status")) }
        if person == nil { items.append((.login, "/login", "Sign in")) }
        return items
    }

    /// The layout's part of a page's Mustache context.
    public var context: [String: Any] {
        var context: [String: Any] = [
            "title": title, "csrf": csrf, "live": live, "statusPublic": statusPublic, "canAct": canAct,
            "home": readsConsole ? "/" : person != nil ? "/portal" : "/status",
            "nav": navigation.map { section, href, label -> [String: Any] in
                ["href": href, "label": label, "current": section == self.section]
            },
        ]
        if let person {
            context["user"] = ["name": person.name, "role": person.role, "canSignOut": person.canSignOut]
        }
        if let flash { context["flash"] = flash }
        if let error { context["error"] = error }
        return context
    }
}
