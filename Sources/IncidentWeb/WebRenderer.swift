import Mustache

/// Renders the pages' templates. Built once at start: a template that does not parse is a programming error
/// the test suite catches (`WebRendererTests`), and `init` throws rather than serving half a console.
public struct WebRenderer: Sendable {
    let library: MustacheLibrary

    public init() throws {
        var library = MustacheLibrary()
        for (name, text) in WebTemplates.all.sorted(by: { $0.key < $1.key }) {
            try library.register(text, named: name)
        }
        self.library = library
    }

    /// The page `template` with `context`; `layout`'s chrome comes from the same context.
    public func render(_ template: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: template)
            ?? "<!doctype html><title>incidentd</title><p>No page \(template)."
    }
}
