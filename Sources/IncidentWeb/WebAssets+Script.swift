extension WebAssets {
    /// Live updates: a page whose `<body>` carries `data-live` listens to `/events` (server-sent events) and,
    /// when something changed, fetches itself again and swaps every element marked `data-live-region` by id. The
    /// server renders (and escapes) that HTML; the script inserts nothing of its own making. Focus is kept on the
    /// element that had it when that element has an id, so a keyboard user is not thrown back to the top.
    static let script = #"""
        "use strict";
        (function () {
          var body = document.body;
          if (!body || !body.hasAttribute("data-live") || !window.EventSource || !window.fetch) return;
          var status = document.getElementById("live-status");
          var pending = false, running = false;
          function say(text) { if (status) status.textContent = text; }
          function refresh() {
            if (running) { pending = true; return; }
            running = true;
            fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live": "1" } })
              .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
              .then(function (html) {
                var doc = new DOMParser().parseFromString(html, "text/html");
                var active = document.activeElement, activeId = active && active.id;
                document.querySelectorAll("[data-live-region]").forEach(function (old) {
                  if (old.contains(active) && active.tagName !== "A" && active.tagName !== "BUTTON") return;
                  var fresh = doc.getElementById(old.id);
                  if (fresh) old.replaceWith(document.importNode(fresh, true));
                });
                if (activeId) { var again = document.getElementById(activeId); if (again) again.focus(); }
                say("Updated " + new Date().toLocaleTimeString());
              })
              .catch(function () { say("Live updates paused: reload the page"); })
              .then(function () { running = false; if (pending) { pending = false; refresh(); } });
          }
          var source = new EventSource("/events");
          source.addEventListener("change", refresh);
          source.onopen = function () { say("Live"); };
          source.onerror = function () { say("Reconnecting…"); };
        })();
        """#
}
