/// The Mustache templates of every page, compiled into the binary. `{{name}}` escapes HTML (`& < > " '`);
/// `{{{name}}}` is used only for HTML this module built itself (rendered Markdown, SVG charts) and is named
/// `…HTML` in the view models so a reviewer can find each one.
enum WebTemplates {
    static let all: [String: String] = [
        "layout": layout, "login": login, "error": error, "incidents": incidents, "incident": incident,
        "silences": silences, "oncall": oncall, "reports": reports, "rules": rules, "portal": portal,
        "portal-report": portalReport, "status": status, "kb": knowledgeBase, "kb-article": knowledgeArticle,
        "kb-edit": knowledgeEdit,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>{{title}} · incidentd</title>
        <link rel="stylesheet" href="/assets/app.css">
        <script src="/assets/app.js" defer></script>
        </head>
        <body{{#live}} data-live{{/live}}>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top"><nav aria-label="Main">
        <a class="brand" href="{{home}}">incidentd</a>
        {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>
        {{/nav}}
        {{#user}}<span class="who"><span>{{name}} <span class="badge">{{role}}</span></span>
        {{#canSignOut}}<form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>{{/canSignOut}}</span>{{/user}}
        </nav></header>
        <main id="main" tabindex="-1">
        {{#flash}}<p class="flash" role="status">{{.}}</p>{{/flash}}
        {{#error}}<p class="flash error" role="alert">{{.}}</p>{{/error}}
        {{$body}}{{/body}}
        </main>
        </body>
        </html>
        """

    static let login = """
        {{<layout}}{{$body}}
        <h1>Sign in</h1>
        <form class="stack" method="post" action="/login">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        <label>User name <input name="user" autocomplete="username" required maxlength="64" autofocus value="{{userName}}"></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="72"></label>
        <div><button class="primary" type="submit">Sign in</button></div>
        </form>
        {{#statusPublic}}<p class="muted">The <a href="/status">service status</a> page needs no sign-in.</p>{{/statusPublic}}
        {{/body}}{{/layout}}
        """

    static let error = """
        {{<layout}}{{$body}}
        <h1>{{heading}}</h1>
        <p>{{message}}</p>
        <p><a href="{{home}}">Back</a></p>
        {{/body}}{{/layout}}
        """
}
