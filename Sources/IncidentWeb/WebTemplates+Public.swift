extension WebTemplates {
    static let portal = """
        {{<layout}}{{$body}}
        <h1>Report a problem</h1>
        <p>Tell us what is wrong in your own words. You get a reference number and a page that shows what we are doing about it.</p>
        <form class="stack" method="post" action="/portal">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>What is wrong? <input name="summary" required maxlength="200" placeholder="I cannot log in to the wiki" value="{{summary}}"></label>
        <label>Which service? <input name="service" list="services" maxlength="64" placeholder="wiki" value="{{service}}"></label>
        <datalist id="services">{{#services}}<option value="{{.}}">{{/services}}</datalist>
        <label>More details (optional) <textarea name="details" maxlength="5000">{{details}}</textarea></label>
        <fieldset><legend>How many people does it stop from working?</legend>
        {{#reachOptions}}<label class="choice"><input type="radio" name="reach" value="{{value}}" required{{#checked}} checked{{/checked}}> {{label}}</label>{{/reachOptions}}
        </fieldset>
        <fieldset><legend>How urgent is it?</legend>
        {{#urgencyOptions}}<label class="choice"><input type="radio" name="urgency" value="{{value}}" required{{#checked}} checked{{/checked}}> {{label}}</label>{{/urgencyOptions}}
        </fieldset>
        <div><button class="primary" type="submit">Send report</button></div>
        </form>
        {{#hasMine}}<h2>Your reports</h2><ul>{{#mine}}<li><a href="/portal/{{number}}">{{id}}</a> {{title}} — {{stateText}}</li>{{/mine}}</ul>{{/hasMine}}
        {{/body}}{{/layout}}
        """

    static let portalReport = """
        {{<layout}}{{$body}}
        <div id="report-live" data-live-region>
        <h1>Your report {{id}}</h1>
        <p class="flash" id="reference">Your reference is <strong>{{id}}</strong>. Keep it to ask about this problem.</p>
        <p><strong>{{title}}</strong></p>
        <p>Status: <strong id="progress">{{stateText}}</strong></p>
        <ol class="timeline">{{#steps}}<li><span class="when">{{at}}</span>{{text}}</li>{{/steps}}</ol>
        </div>
        <p class="muted" id="live-status" role="status" aria-live="polite"></p>
        <p><a href="/portal">Report another problem</a></p>
        {{/body}}{{/layout}}
        """

    static let status = """
        {{<layout}}{{$body}}
        <div id="status-live" data-live-region>
        <h1>Service status</h1>
        {{#allClear}}<section class="card status-ok"><h2>All services are working normally</h2></section>{{/allClear}}
        {{#services}}<section class="card status-{{level}}"><h2>{{name}}</h2><ul>{{#problems}}<li>{{text}} since {{since}}{{#beingWorkedOn}} — we are working on it{{/beingWorkedOn}}</li>{{/problems}}</ul></section>
        {{/services}}
        <p class="muted">Updated {{updated}}.</p>
        </div>
        <p class="muted" id="live-status" role="status" aria-live="polite"></p>
        {{/body}}{{/layout}}
        """

    static let knowledgeBase = """
        {{<layout}}{{$body}}
        <h1>Knowledge base</h1>
        <form class="filters" method="get" action="/kb" role="search"><label>Search <input type="search" name="q" value="{{query}}" maxlength="200"></label><button type="submit">Search</button></form>
        {{#searched}}<p class="muted">{{resultText}}</p>{{/searched}}
        <ul id="articles">{{#hits}}<li><a href="/kb/{{slug}}">{{title}}</a>{{#incident}} <span class="muted">({{.}})</span>{{/incident}}{{#snippetHTML}}<div class="muted">{{{.}}}</div>{{/snippetHTML}}</li>{{/hits}}</ul>
        {{^hasHits}}<p>No articles{{#searched}} match{{/searched}}.</p>{{/hasHits}}
        {{#canAct}}<p><a class="button" href="/kb/new">Write an article</a></p>{{/canAct}}
        {{/body}}{{/layout}}
        """

    static let knowledgeArticle = """
        {{<layout}}{{$body}}
        <article class="article">
        <h1>{{title}}</h1>
        <p class="muted">By {{author}}, updated {{updatedAt}}{{#incident}} · review of <a href="/incidents/{{number}}">{{id}}</a>{{/incident}}</p>
        {{#hasLearnings}}<section aria-labelledby="learnings"><h2 id="learnings">Learnings</h2>{{{learningsHTML}}}</section>{{/hasLearnings}}
        {{{bodyHTML}}}
        </article>
        {{/body}}{{/layout}}
        """

    static let knowledgeEdit = """
        {{<layout}}{{$body}}
        <h1>Write an article</h1>
        <form class="stack" method="post" action="/kb">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>Title <input name="title" required maxlength="200" value="{{titleValue}}"></label>
        <label>Article (Markdown) <textarea name="body" required maxlength="262144">{{bodyValue}}</textarea></label>
        <label>Learnings (Markdown, optional) <textarea name="learnings" maxlength="65536">{{learningsValue}}</textarea></label>
        <div><button class="primary" type="submit">Save</button></div>
        </form>
        {{/body}}{{/layout}}
        """
}
