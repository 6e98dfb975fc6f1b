#!/usr/bin/env python3
"""Turns Benchmarks/run's key<TAB>value results into one Markdown table of ratios (stdout).

usage: report.py RESULTS.tsv STREAM-SUMMARY.json
"""
import json
import sys


def main():
    r = {}
    for line in open(sys.argv[1]):
        k, _, v = line.rstrip("\n").partition("\t")
        r[k] = v
    summary = json.load(open(sys.argv[2]))

    def num(k):
        try:
            return float(r[k])
        except (KeyError, ValueError):
            return None

    def ratio(a, b):
        a, b = num(a) if isinstance(a, str) else a, num(b) if isinstance(b, str) else b
        return "n/a" if a is None or b is None or b == 0 else "%.2f×" % (a / b)

    def n(k, fmt="{:,.0f}"):
        v = num(k)
        return "n/a" if v is None else fmt.format(v)

    out = []
    w = out.append
    w("# incidentd vs Alertmanager 0.25 and SEC 2.9.1 — `Benchmarks/run`")
    w("")
    w("Machine: %s. %s." % (r.get("machine", "?"), r.get("versions", "?")))
    w("Started %s, finished %s (load = 1/5/15-minute load average)." % (r.get("started", "?"), r.get("finished", "?")))
    if r.get("quick") == "1":
        w("**QUICK run: smoke figures, not for BENCHMARKS.md.**")
    w("Stream: gen.py seed 42, %s events; 2k fingerprints: %s new episodes, %s resolves, %s repeats, %s bursts." % (
        r.get("events", "?"), summary["kinds"].get("new"), summary["kinds"].get("resolve"),
        summary["kinds"].get("dup"), summary.get("bursts")))
    w("Each ingest cell ran at most %s s on a fresh process. \"per CPU-s\" = events per CPU second of the server "
      "process alone (less sensitive to other load on the machine than wall-clock rates)." % r.get("trial_seconds"))
    w("")
    w("| # | measure | incidentd | peer | ratio (incidentd / peer) | per CPU-s ratio | goal |")
    w("|---|---|---|---|---|---|---|")
    for fps in ("2k", "100k"):
        for b in ("1", "64", "100"):
            for c in ("1", "4"):
                base = "ingest.%s.b%s.c%s" % (fps, b, c)
                if base + ".am" not in r:
                    continue
                am = base + ".am"
                for target, name in (("socket", "socket (pipelined)"), ("http", "POST /api/v2/alerts")):
                    k = base + "." + target
                    goal = "≥ 2×"
                    failed = r.get(k + ".failed", "0")
                    note = "" if failed in ("0", "") else " (%s failed)" % failed
                    w("| 1 | durable ingest, %s, batch %s, %s conn, %s fingerprints (alerts/s; peer: Alertmanager "
                      "in-memory) | %s%s | %s | %s | %s | %s |" % (
                          name, b, c, fps, n(k), note, n(am), ratio(k, am),
                          ratio(k + ".cpu", am + ".cpu"), goal))
    for b, what in (("1", "one event per socket line"), ("100", "100 events per socket line")):
        k = "inc.socket.b%s" % b
        w("| 2 | log correlation, lines/s (incidentd: %s, each committed; SEC: syslog lines, --debug=3) | %s | %s | "
          "%s | %s | ≥ 3× |" % (what, n(k + ".lines_per_s"), n("sec.lines_per_s"),
                                ratio(k + ".lines_per_s", "sec.lines_per_s"),
                                ratio(k + ".lines_per_cpu_s", "sec.lines_per_cpu_s")))
    if "inc.journal.lines_per_s" in r:
        w("| 2 | log correlation, lines/s (incidentd: journal entries) | %s | %s | %s | %s | ≥ 3× |" % (
            n("inc.journal.lines_per_s"), n("sec.lines_per_s"), ratio("inc.journal.lines_per_s", "sec.lines_per_s"),
            ratio("inc.journal.lines_per_cpu_s", "sec.lines_per_cpu_s")))
        w("| 2 | incidents from journal entries (one per fingerprint) vs the stream's fingerprints touched | %s | %s | "
          "%s | | equal |" % (r.get("inc.journal.incidents"), summary.get("fingerprints_touched"),
                              "**agree**" if r.get("inc.journal.incidents") == str(summary.get("fingerprints_touched"))
                              else "**DIFFER**"))
    else:
        w("| 2 | log correlation, incidentd fed as journal entries | not run (BENCH_JOURNAL hook: journal source "
          "not merged) | | | | |")
    for b in ("1", "100"):
        k = "inc.socket.b%s" % b
        agree = r.get(k + ".incidents") == r.get("sec.new")
        w("| 2 | incidents: incidentd opened (socket, batch %s) vs SEC NEW lines (generator: %s new episodes) | %s | "
          "%s | %s | | equal |" % (b, summary["kinds"].get("new"), r.get(k + ".incidents"), r.get("sec.new"),
                                   "**agree**" if agree else "**DIFFER**"))
        agree_r = r.get(k + ".resolved") == r.get("sec.resolved")
        w("| 2 | resolved: incidentd incidents resolved (socket, batch %s) vs SEC RESOLVED lines (generator: %s) | "
          "%s | %s | %s | | equal |" % (b, summary["kinds"].get("resolve"), r.get(k + ".resolved"),
                                        r.get("sec.resolved"), "**agree**" if agree_r else "**DIFFER**"))
    w("| 2 | SEC STORM lines (wall-clock window: not comparable, printed only) | | %s | | | |" % r.get("sec.storm"))
    for state, what in (("idle", "idle (incidentd 200 events/s)"), ("load", "under load (10k events/s)")):
        for p in ("p50", "p99"):
            inc, am = "lat.inc.%s.%s" % (state, p), "lat.am.%s.%s" % (state, p)
            goal = "< 5 ms" if (state, p) == ("load", "p99") else ""
            w("| 3 | latency %s, %s, ms (incidentd: event → incident committed; Alertmanager: POST → webhook, "
              "group_wait 0s) | %s | %s | %s (peer / incidentd) | | %s |" % (
                  what, p, n(inc, "{:.2f}"), n(am, "{:.2f}"), ratio(am, inc), goal))
    w("| 3 | floor: fsync of a 4 KiB append on the state directory's disk, p50 / p99 ms | %s / %s | | | | |" % (
        n("fsync.p50", "{:.2f}"), n("fsync.p99", "{:.2f}")))
    if "lat.inc.webhook.idle.p50" in r:
        for state, what in (("idle", "idle"), ("load", "under load (10k alerts/s into the same process)")):
            for p in ("p50", "p99"):
                inc, am = "lat.inc.webhook.%s.%s" % (state, p), "lat.am.%s.%s" % (state, p)
                warm = ""
                if p == "p99" and "lat.inc.webhook.%s.warmup" % state in r:
                    warm = "; after one warm-up probe each, not counted: %s / %s ms" % (
                        r.get("lat.inc.webhook.%s.warmup" % state), r.get("lat.am.%s.warmup" % state))
                w("| 3 | latency %s, %s, ms: POST of an alert opening a new incident/group → its notification at "
                  "the local webhook (incidentd: webhook notifier, policy paging at once; Alertmanager: group_wait 0s; "
                  "probes missing: %s / %s%s) | %s | %s | %s (peer / incidentd) | | %s |" % (
                      what, p, r.get("lat.inc.webhook.%s.missing" % state), r.get("lat.am.%s.missing" % state), warm,
                      n(inc, "{:.2f}"), n(am, "{:.2f}"), ratio(am, inc), "≥ 0.5× (≤ 2× peer)" if p == "p99" else ""))
    else:
        w("| 3 | latency event → notification delivered (incidentd) | not run (BENCH_WEBHOOK=0) | | | | |")
    per = {}
    for side in ("inc", "am"):
        rss, idle, alerts = num("mem.%s.rss_kb" % side), num("mem.%s.idle_kb" % side), num("mem.%s.alerts" % side)
        per[side] = None if None in (rss, idle, alerts) or not alerts else (rss - idle) * 1024 / alerts
    w("| 4 | peak RSS with %s active alerts (VmHWM, MiB; incidentd's engine holds %s; Alertmanager's "
      "alertmanager_alerts gauge says %s) | %s | %s | %s (incidentd / peer; lower is better) | | |" % (
          n("mem.am.alerts"), n("mem.inc.alerts"), n("mem.am.gauge"),
          n("mem.inc.hwm_kb", "{:.0f}") if num("mem.inc.hwm_kb") is None else "%.0f" % (num("mem.inc.hwm_kb") / 1024),
          "n/a" if num("mem.am.hwm_kb") is None else "%.0f" % (num("mem.am.hwm_kb") / 1024),
          ratio("mem.inc.hwm_kb", "mem.am.hwm_kb")))
    w("| 4 | RSS per active alert, bytes ((VmRSS at rest − VmRSS idle) / alerts; at rest after %s / %s s) | %s | %s | "
      "%s (lower is better) | | ≤ 1024 |" % (r.get("mem.inc.settled_s"), r.get("mem.am.settled_s"),
          "n/a" if per["inc"] is None else "%.0f" % per["inc"], "n/a" if per["am"] is None else "%.0f" % per["am"],
          "n/a" if None in (per["inc"], per["am"]) else "%.2f×" % (per["inc"] / per["am"])))
    at1 = {}
    for side in ("inc", "am"):
        rss, idle, alerts = num("mem.%s.rss_at_1s_kb" % side), num("mem.%s.idle_kb" % side), num("mem.%s.alerts" % side)
        at1[side] = None if None in (rss, idle, alerts) or not alerts else (rss - idle) * 1024 / alerts
    w("| 4 | … the same 1 s after the last alert (before rest) | %s | %s | | | |" % (
        "n/a" if at1["inc"] is None else "%.0f" % at1["inc"], "n/a" if at1["am"] is None else "%.0f" % at1["am"]))
    w("")
    w("Load average while each figure was taken: ingest cells in `Benchmarks/results/latest.log`; SEC %s, incidentd correlation %s, "
      "latency idle %s / %s (incidentd / Alertmanager), under load %s / %s." % (
          r.get("sec.load"), r.get("inc.socket.b1.load"), r.get("lat.inc.idle.load"), r.get("lat.am.idle.load"),
          r.get("lat.inc.load.load"), r.get("lat.am.load.load")))
    print("\n".join(out))


if __name__ == "__main__":
    main()
