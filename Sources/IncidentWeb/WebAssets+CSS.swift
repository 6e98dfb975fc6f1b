extension WebAssets {
    /// One style sheet for every page: light and dark (prefers-color-scheme), readable on a phone (tables turn
    /// into stacked rows under 700 px), visible keyboard focus, and the SVG charts' series colours.
    static let css = #"""
        :root { --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
          --link: #0550ae; --accent: #0969da; --danger: #cf222e; --warn: #9a6700; --ok: #1a7f37; --info: #6639ba;
          --s1: #cf222e; --s2: #bc4c00; --s3: #8250df; --s4: #0969da; --s5: #1a7f37; color-scheme: light dark; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --panel: #161b22;
            --link: #58a6ff; --accent: #2f81f7; --danger: #f85149; --warn: #d29922; --ok: #3fb950; --info: #a371f7;
            --s1: #f85149; --s2: #db6d28; --s3: #a371f7; --s4: #58a6ff; --s5: #3fb950; }
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.45;
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
        a { color: var(--link); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible,
        summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        .skip { position: absolute; left: -9999px; }
        .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 6px 10px; z-index: 10; }
        header.top { border-bottom: 1px solid var(--line); background: var(--panel); }
        header.top nav { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; padding: 8px 16px;
          max-width: 1200px; margin: 0 auto; }
        header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); margin-right: 8px; }
        header.top nav a { text-decoration: none; padding: 6px 2px; }
        header.top nav a[aria-current="page"] { font-weight: 600; border-bottom: 2px solid var(--accent); }
        header.top .who { margin-left: auto; display: flex; gap: 8px; align-items: center; color: var(--muted); }
        main { max-width: 1200px; margin: 0 auto; padding: 16px; }
        h1 { font-size: 1.5rem; margin: 0.2em 0 0.6em; overflow-wrap: anywhere; }
        h2 { font-size: 1.15rem; margin: 1.4em 0 0.5em; }
        .muted { color: var(--muted); }
        .flash { padding: 8px 12px; border-radius: 6px; background: var(--panel); border-left: 4px solid var(--ok); }
        .flash.error { border-left-color: var(--danger); }
        table { width: 100%; border-collapse: collapse; }
        th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top;
          overflow-wrap: anywhere; }
        th { font-size: 0.85rem; color: var(--muted); font-weight: 600; overflow-wrap: normal; white-space: nowrap; }
        code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; }
        pre { background: var(--panel); padding: 10px; overflow-x: auto; border-radius: 6px; }
        .badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 0.8rem; font-weight: 600;
          border: 1px solid var(--line); white-space: nowrap; }
        .p-P1 { background: var(--danger); color: #fff; border-color: var(--danger); }
        .p-P2 { background: var(--s2); color: #fff; border-color: var(--s2); }
        .p-P3 { color: var(--warn); border-color: var(--warn); }
        .st-open { color: var(--danger); border-color: var(--danger); }
        .st-acknowledged { color: var(--warn); border-color: var(--warn); }
        .st-resolved, .st-closed { color: var(--ok); border-color: var(--ok); }
        .labels { display: flex; flex-wrap: wrap; gap: 4px; }
        .label { font-family: ui-monospace, monospace; font-size: 0.8rem; background: var(--panel);
          border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; overflow-wrap: anywhere; }
        form.inline { display: inline; }
        form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
        form.filters label, form.stack label { display: flex; flex-direction: column; font-size: 0.85rem;
          color: var(--muted); gap: 2px; }
        form.stack { display: flex; flex-direction: column; gap: 10px; max-width: 560px; }
        input, select, textarea, button { font: inherit; color: var(--fg); background: var(--bg);
          border: 1px solid var(--line); border-radius: 6px; padding: 7px 9px; min-height: 38px; }
        textarea { min-height: 90px; width: 100%; }
        button, .button { cursor: pointer; background: var(--panel); font-weight: 600; text-decoration: none;
          display: inline-block; color: var(--fg); border: 1px solid var(--line); border-radius: 6px; padding: 7px 12px; }
        button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
        button.danger { color: var(--danger); }
        .actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 12px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 12px; background: var(--bg); margin-bottom: 12px; }
        .card h2, .card h3 { margin-top: 0; }
        details.panel { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
        details.panel summary { cursor: pointer; font-weight: 600; }
        .pager { display: flex; gap: 12px; align-items: center; margin: 12px 0; }
        ol.timeline { list-style: none; padding: 0; margin: 0; }
        ol.timeline li { padding: 6px 0; border-bottom: 1px dashed var(--line); overflow-wrap: anywhere; }
        ol.timeline .when { color: var(--muted); font-size: 0.85rem; margin-right: 6px; }
        .tag-root { color: var(--danger); font-weight: 700; }
        .tag-related { color: var(--info); font-weight: 600; }
        mark { background: #fff8c5; color: #1b1f24; }
        .status-ok { border-left: 6px solid var(--ok); }
        .status-outage { border-left: 6px solid var(--danger); }
        .status-degradation { border-left: 6px solid var(--warn); }
        .article { max-width: 820px; }
        .article table { width: auto; }
        svg.chart { width: 100%; height: auto; max-width: 900px; }
        svg.chart text { fill: var(--fg); font-size: 11px; }
        svg.chart .axis { stroke: var(--line); }
        svg.chart .series-0 { fill: var(--s1); } svg.chart .series-1 { fill: var(--s2); }
        svg.chart .series-2 { fill: var(--s3); } svg.chart .series-3 { fill: var(--s4); }
        svg.chart .series-4 { fill: var(--s5); }
        @media (max-width: 700px) {
          main { padding: 10px; }
          table.stack thead { display: none; }
          table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
          table.stack tr { border: 1px solid var(--line); border-radius: 8px; margin-bottom: 10px; padding: 6px 8px; }
          table.stack td { border: none; padding: 3px 0; }
          table.stack td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: 0.85rem; }
          header.top .who { margin-left: 0; width: 100%; }
        }
        """#
}
