/// What a person signed in to the web pages may do (SPEC §14). The control socket is `admin`: its file mode is
/// its protection.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    /// Reads the console: incidents, silences, on call, reports, rules, the knowledge base.
    case viewer
    /// A viewer who also acts: acknowledge, resolve, close, reopen, note, merge, split, silences, articles.
    case `operator`
    /// Reports problems through the portal and follows their progress; sees nothing else.
    case reporter
    /// The control socket and `incidentctl` on the host.
    case admin
}
