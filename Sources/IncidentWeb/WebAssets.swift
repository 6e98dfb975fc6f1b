/// What the pages load besides HTML: one style sheet and one script, compiled into the binary and served from
/// `/assets/` (no CDN, no build step). The pages work without the script; it only adds live updates.
public enum WebAssets {
    /// A path under `/assets/` and what to answer with; nil for any other name.
    public static func asset(named name: String) -> (body: String, contentType: String)? {
        switch name {
        case "app.css": (css, "text/css; charset=utf-8")
        case "app.js": (script, "text/javascript; charset=utf-8")
        default: nil
        }
    }
}
