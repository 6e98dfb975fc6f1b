import IncidentCore

/// Builds every page from the daemon's values: pure functions of their arguments (the clock included), so
/// tests and the render benchmark call them without a server.
public struct WebPages: Sendable {
    public let renderer: WebRenderer

    public init() throws {
        renderer = try WebRenderer()
    }

    /// A page: its own context laid over the chrome's.
    func page(_ template: String, _ chrome: PageChrome, _ context: [String: Any]) -> String {
        renderer.render(template, chrome.context.merging(context) { _, page in page })
    }

    public func login(_ chrome: PageChrome, next: String, userName: String) -> String {
        page("login", chrome, ["next": next, "userName": userName])
    }

    public func error(_ chrome: PageChrome, heading: String, message: String) -> String {
        page("error", chrome, ["heading": heading, "message": message])
    }

    /// `name=value` for each label, in the labels' order.
    static func labelTexts(_ labels: Labels) -> [String] {
        labels.map { "\($0.name)=\($0.value)" }
    }

    /// A time for a table: `2026-12-04 20:31:07 UTC`.
    static func time(_ value: Timestamp) -> String {
        let text = value.rfc3339
        guard text.count >= 19 else { return text }
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8)) + " UTC"
    }
}
