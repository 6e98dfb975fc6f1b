extension WebTemplates {
    static let silences = """
        {{<layout}}{{$body}}
        <h1>Silences</h1>
        <p class="muted">A silence mutes matching alerts: they are recorded and correlated, but their incidents page nobody until it ends (SPEC §11). <a href="/silences{{^showAll}}?all=1{{/showAll}}">{{#showAll}}Hide expired{{/showAll}}{{^showAll}}Show expired{{/showAll}}</a></p>
        {{#hasRows}}<table class="stack"><thead><tr><th scope="col">Matchers</th><th scope="col">State</th><th scope="col">Until</th><th scope="col">By</th><th scope="col">Why</th>{{#canAct}}<th scope="col"><span class="skip">Actions</span></th>{{/canAct}}</tr></thead><tbody>
        {{#rows}}<tr><td data-label="Matchers"><div class="labels">{{#matchers}}<span class="label">{{.}}</span>{{/matchers}}</div><span class="muted mono">{{id}}</span></td>
        <td data-label="State">{{state}}</td><td data-label="Until">{{endsAt}} ({{left}})</td><td data-label="By">{{createdBy}}</td><td data-label="Why">{{comment}}</td>
        {{#canAct}}<td>{{#active}}<form class="inline" method="post" action="/silences/{{id}}/expire"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">Expire</button></form>{{/active}}</td>{{/canAct}}</tr>
        {{/rows}}</tbody></table>{{/hasRows}}
        {{^hasRows}}<p>No silences.</p>{{/hasRows}}
        {{#canAct}}
        <h2>New silence</h2>
        <form class="stack" method="post" action="/silences">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label><span>Matchers, one per line (<code>name=value</code>, <code>name!=value</code>, <code>name=~regex</code>, <code>name!~regex</code>)</span> <textarea name="matchers" required maxlength="4000" placeholder="alertname=DiskFull&#10;host=db1"></textarea></label>
        <label>For <select name="duration"><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="12h">12 hours</option><option value="1d">1 day</option><option value="7d">7 days</option></select></label>
        <label>Why <input name="comment" required maxlength="500"></label>
        <div><button type="submit">Create silence</button></div>
        </form>
        {{/canAct}}
        {{/body}}{{/layout}}
        """

    static let oncall = """
        {{<layout}}{{$body}}
        <h1>Who is on call</h1>
        {{#hasSchedules}}<div class="grid">{{#schedules}}<section class="card" aria-labelledby="sched-{{index}}"><h2 id="sched-{{index}}">{{name}}</h2>
        <p class="muted">{{timezone}}</p>
        <p>Now: {{#now}}<strong>{{user}}</strong> until {{end}}{{#override}} <span class="badge">override</span>{{/override}}{{/now}}{{^now}}<strong>nobody</strong>{{/now}}</p>
        <p>Next: {{#next}}{{user}} from {{start}}{{/next}}{{^next}}—{{/next}}</p></section>{{/schedules}}</div>{{/hasSchedules}}
        {{^hasSchedules}}<p>No schedules are defined. Add <code>schedules:</code> to a rule file (see RULES.md).</p>{{/hasSchedules}}
        {{/body}}{{/layout}}
        """

    static let reports = """
        {{<layout}}{{$body}}
        <h1>Reports</h1>
        <form class="filters" method="get" action="/reports"><label>Period <select name="since">{{#periods}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/periods}}</select></label><button type="submit">Show</button></form>
        <h2>Incidents per day by kind</h2>
        <figure>{{{perDayHTML}}}</figure>
        <h2>Mean time to acknowledge by priority</h2>
        <figure>{{{mttaHTML}}}</figure>
        <h2>Mean time to resolve by priority</h2>
        <figure>{{{mttrHTML}}}</figure>
        <h2>In numbers</h2>
        {{#hasLines}}<table class="stack"><thead><tr><th scope="col">Priority</th><th scope="col">Kind</th><th scope="col">Incidents</th><th scope="col">MTTA</th><th scope="col">MTTR</th></tr></thead><tbody>
        {{#lines}}<tr><td data-label="Priority">{{priority}}</td><td data-label="Kind">{{kind}}</td><td data-label="Incidents">{{count}}</td><td data-label="MTTA">{{mtta}}</td><td data-label="MTTR">{{mttr}}</td></tr>{{/lines}}
        </tbody></table>{{/hasLines}}{{^hasLines}}<p>No incidents in this period.</p>{{/hasLines}}
        {{/body}}{{/layout}}
        """

    static let rules = """
        {{<layout}}{{$body}}
        <h1>Rules</h1>
        <p class="muted">In evaluation order, with what each did in the last {{period}}.</p>
        <table class="stack"><thead><tr><th scope="col">Rule</th><th scope="col">Matches</th><th scope="col">Kind</th><th scope="col">Incidents</th><th scope="col">Events</th><th scope="col">Last incident</th></tr></thead><tbody>
        {{#rows}}<tr id="rule-{{name}}"><td data-label="Rule"><strong>{{name}}</strong> <span class="muted">{{location}}</span>{{#correlations}} <span class="badge">{{.}}</span>{{/correlations}}{{#drop}} <span class="badge">drop</span>{{/drop}}</td>
        <td data-label="Matches"><span class="mono">{{matchers}}</span></td><td data-label="Kind">{{kind}}</td><td data-label="Incidents">{{incidents}}</td><td data-label="Events">{{events}}</td><td data-label="Last incident">{{lastIncident}}</td></tr>
        {{/rows}}</tbody></table>
        <h2 id="explain">Explain this event</h2>
        <form class="stack" method="post" action="/rules/explain">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>An event as any payload incidentd accepts (alert JSON, Alertmanager webhook, journal entry JSON) <textarea name="event" required maxlength="65536">{{event}}</textarea></label>
        <div><button type="submit">Explain</button></div>
        </form>
        {{#explanation}}<h3>Result</h3><pre id="explanation">{{.}}</pre>{{/explanation}}
        {{/body}}{{/layout}}
        """
}
