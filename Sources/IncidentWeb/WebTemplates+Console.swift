extension WebTemplates {
    static let incidents = """
        {{<layout}}{{$body}}
        <h1>Incidents</h1>
        <form class="filters" method="get" action="/" role="search">
        <label>State <select name="state">{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select></label>
        <label>Kind <select name="kind">{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kinds}}</select></label>
        <label>Priority <select name="priority">{{#priorities}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/priorities}}</select></label>
        <label>Text <input type="search" name="q" value="{{query}}" maxlength="200" placeholder="title, label, rule, INC-n"></label>
        <button type="submit">Filter</button>
        </form>
        <p class="muted" id="live-status" role="status" aria-live="polite"></p>
        <div id="incident-rows" data-live-region>
        <p class="muted">{{summary}}</p>
        {{#hasRows}}
        <table class="stack">
        <thead><tr><th scope="col">Incident</th><th scope="col">Priority</th><th scope="col">Title</th><th scope="col">State</th><th scope="col">Kind</th><th scope="col">Opened</th><th scope="col">Alerts</th></tr></thead>
        <tbody>
        {{#rows}}<tr>
        <td data-label="Incident"><a id="row-{{number}}" href="/incidents/{{number}}">{{id}}</a></td>
        <td data-label="Priority"><span class="badge p-{{priority}}">{{priority}}</span></td>
        <td data-label="Title">{{title}}{{#silenced}} <span class="badge">silenced</span>{{/silenced}}{{#flapping}} <span class="badge">flapping</span>{{/flapping}}
        {{#hasLabels}}<div class="labels">{{#labels}}<span class="label">{{.}}</span>{{/labels}}</div>{{/hasLabels}}</td>
        <td data-label="State"><span class="badge st-{{state}}">{{state}}</span>{{#acknowledgedBy}} <span class="muted">by {{.}}</span>{{/acknowledgedBy}}</td>
        <td data-label="Kind">{{kind}}</td>
        <td data-label="Opened"><time datetime="{{openedAt}}" title="{{openedAt}}">{{openedAgo}}</time></td>
        <td data-label="Alerts">{{alerts}}</td>
        </tr>
        {{/rows}}
        </tbody></table>
        {{/hasRows}}
        {{^hasRows}}<p>No incidents match.</p>{{/hasRows}}
        <nav class="pager" aria-label="Pages">
        {{#previous}}<a href="{{.}}" rel="prev">← Newer</a>{{/previous}}
        <span class="muted">{{pageText}}</span>
        {{#next}}<a href="{{.}}" rel="next">Older →</a>{{/next}}
        </nav>
        </div>
        {{/body}}{{/layout}}
        """

    static let incident = """
        {{<layout}}{{$body}}
        <div id="incident-live" data-live-region>
        <h1>{{id}}: {{title}}</h1>
        <p><span class="badge p-{{priority}}">{{priority}}</span> <span class="badge st-{{state}}" id="state">{{state}}</span>
        <span class="badge">{{kind}}</span> <span class="muted">impact {{impact}}, urgency {{urgency}}</span>
        {{#silenced}}<span class="badge">silenced: escalation waits</span>{{/silenced}}{{#flapping}} <span class="badge">flapping</span>{{/flapping}}</p>
        <p class="muted">Opened <time datetime="{{openedAt}}">{{openedAt}}</time> ({{openedAgo}}) by rule <a href="/rules#rule-{{rule}}">{{rule}}</a>{{#acknowledgedBy}} · acknowledged by <strong id="acknowledged-by">{{.}}</strong>{{/acknowledgedBy}}{{#resolvedAt}} · resolved {{.}}{{/resolvedAt}}</p>
        {{#hasLabels}}<div class="labels" aria-label="Labels">{{#labels}}<span class="label">{{.}}</span>{{/labels}}</div>{{/hasLabels}}
        {{#runbook}}<p>Runbook: <a href="{{href}}" rel="noopener noreferrer">{{text}}</a></p>{{/runbook}}
        {{#canAct}}
        <div class="actions">
        {{#actions}}<form class="inline" method="post" action="/incidents/{{number}}/{{path}}"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" id="action-{{path}}"{{#primary}} class="primary"{{/primary}}>{{label}}</button></form>
        {{/actions}}
        </div>
        {{/canAct}}
        </div>

        <h2>Alerts ({{alertCount}})</h2>
        {{#hasAlerts}}<table class="stack"><thead><tr><th scope="col">Alert</th><th scope="col">Labels</th><th scope="col">Status</th><th scope="col">Seen</th><th scope="col">Events</th>{{#canAct}}<th scope="col"><span class="skip">Actions</span></th>{{/canAct}}</tr></thead><tbody>
        {{#alerts}}<tr><td data-label="Alert"><span class="mono">{{fingerprint}}</span>{{#rootCause}} <span class="tag-root">root cause</span>{{/rootCause}}{{#related}} <span class="tag-related">related</span>{{/related}}{{#summary}}<div>{{.}}</div>{{/summary}}</td>
        <td data-label="Labels"><div class="labels">{{#labels}}<span class="label">{{.}}</span>{{/labels}}</div>{{#links}}<div><a href="{{href}}" rel="noopener noreferrer">{{text}}</a></div>{{/links}}</td>
        <td data-label="Status">{{status}}{{#suppressed}} (suppressed){{/suppressed}}</td>
        <td data-label="Seen">{{firstSeen}} – {{lastSeen}}</td><td data-label="Events">{{events}}</td>
        {{#canAct}}<td>{{#canSplit}}<form class="inline" method="post" action="/incidents/{{number}}/split"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="alert" value="{{fingerprint}}"><button type="submit">Split out</button></form>{{/canSplit}}</td>{{/canAct}}</tr>
        {{/alerts}}</tbody></table>{{/hasAlerts}}
        {{^hasAlerts}}<p class="muted">No alerts: a person reported this incident.</p>{{/hasAlerts}}

        <h2>Escalation</h2>
        {{#escalation}}<p>Policy <strong>{{policy}}</strong>, round {{round}}{{#step}}, next step {{.}}{{/step}}{{#nextAt}} due {{.}}{{/nextAt}}.</p>{{/escalation}}
        {{^escalation}}<p class="muted">No escalation policy applies.</p>{{/escalation}}
        {{#hasPages}}<ul>{{#pages}}<li><time>{{at}}</time> {{text}}</li>{{/pages}}</ul>{{/hasPages}}
        {{^hasPages}}<p class="muted">Nobody has been paged yet.</p>{{/hasPages}}

        <h2>Timeline</h2>
        <ol class="timeline" id="timeline">{{#timeline}}<li><span class="when"><time datetime="{{at}}">{{at}}</time></span><strong>{{type}}</strong> {{detail}}</li>{{/timeline}}</ol>

        <h2>Notes</h2>
        {{#notes}}<div class="card"><p class="muted">{{author}} · {{at}}</p><p>{{text}}</p></div>{{/notes}}
        {{^notes}}<p class="muted">No notes yet.</p>{{/notes}}
        {{#canAct}}
        <form class="stack" method="post" action="/incidents/{{number}}/notes">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>Add a note <textarea name="text" required maxlength="10000"></textarea></label>
        <div><button type="submit">Add note</button></div>
        </form>

        <details class="panel"><summary>Silence these alerts</summary>
        <form class="stack" method="post" action="/silences">
        <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="from" value="{{number}}">
        <p class="muted">Matchers: {{#silenceMatchers}}<span class="label">{{.}}</span> {{/silenceMatchers}}</p>
        <label>For <select name="duration"><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="12h">12 hours</option><option value="1d">1 day</option><option value="7d">7 days</option></select></label>
        <label>Why <input name="comment" required maxlength="500"></label>
        <div><button type="submit" id="silence-submit">Create silence</button></div>
        </form></details>

        <details class="panel"><summary>Merge into another incident</summary>
        <form class="stack" method="post" action="/incidents/{{number}}/merge">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>Target incident <input name="into" required placeholder="INC-12" maxlength="20"></label>
        <div><button type="submit">Merge</button></div>
        </form></details>

        <details class="panel"><summary>Write a review for the knowledge base</summary>
        <form class="stack" method="post" action="/kb/from-incident/{{number}}">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>Learnings (Markdown) <textarea name="learnings" maxlength="65536"></textarea></label>
        <div><button type="submit">Save review as article</button></div>
        </form></details>
        {{/canAct}}

        <h2>Past incidents of rule {{rule}}</h2>
        {{#hasPast}}<table class="stack"><thead><tr><th scope="col">Incident</th><th scope="col">Opened</th><th scope="col">State</th><th scope="col">How it ended</th></tr></thead><tbody>
        {{#past}}<tr><td data-label="Incident"><a href="/incidents/{{number}}">{{id}}</a> {{title}}</td><td data-label="Opened">{{openedAt}}</td><td data-label="State"><span class="badge st-{{state}}">{{state}}</span></td>
        <td data-label="How it ended">{{outcome}}{{#lastNote}}<div class="muted">“{{.}}”</div>{{/lastNote}}{{#article}} <a href="/kb/{{slug}}">review: {{title}}</a>{{/article}}</td></tr>
        {{/past}}</tbody></table>{{/hasPast}}
        {{^hasPast}}<p class="muted">None.</p>{{/hasPast}}
        {{/body}}{{/layout}}
        """
}
