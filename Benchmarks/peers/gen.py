#!/usr/bin/env python3
"""(Copied from shared/peers/gen.py for Benchmarks/run, plus the `amlines` form.)
Reproducible, bounded synthetic alert stream generator (python3 stdlib only).

One logical stream (fixed by --seed and the shape options) can be emitted as
  am      Alertmanager API v2 POST batches  (POST /api/v2/alerts, JSON array)
  jsonl   JSON lines, one alert object a line, to a file (--out) or a Unix stream socket (--unix)
  syslog  syslog-like text lines for SEC, to a file (--out, '-' = stdout)
plus helpers
  summary   print the stream's statistics and a sha256 of its JSONL form (== sha256sum of `gen.py jsonl --out FILE`)
  probe     end-to-end latency probe: POST one alert that opens a new group, time its webhook at the sink
  unix-sink bounded test receiver for `jsonl --unix` (counts lines)

Stream model (all randomness from random.Random(seed)):
  * M fingerprints = distinct label sets {alertname, service, instance, severity};
    alertname = one of --alertnames names, service = one of --services, instance unique per fingerprint.
  * popularity is Zipf-like (weight 1/rank^--zipf), so some fingerprints repeat a lot (duplicates).
  * each normal event picks a fingerprint; if it is firing, with prob --resolve-prob the event is a
    resolve (status=resolved, endsAt set), else a duplicate re-send of the firing alert; if it is not
    firing, a new firing episode starts ("new").
  * every --burst-every events a burst of --burst-size firing events hits all fingerprints of one
    random service (an alert storm), at --burst-speedup x the base rate.
  * logical timestamps: base --base-time + offsets with exponential gaps at --rate events/s.
Every loop is bounded by the event count N and, where it talks to a socket, by --max-seconds.
"""
import argparse
import bisect
import hashlib
import http.client
import itertools
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import sys
import time
from datetime import datetime, timezone, timedelta

ALERTNAMES = ["HighCPU", "HighMemory", "DiskFull", "InstanceDown", "HighLatency", "ErrorRate",
              "QueueBacklog", "CertExpiry", "PodCrashLoop", "NodeNotReady", "SlowQueries",
              "ReplicationLag", "HighLoad", "NetworkErrors", "OOMKilled", "TargetMissing"]
SEVERITIES = ["critical", "warning", "info"]

# ---------------------------------------------------------------- fingerprint (Alertmanager/Prometheus model.LabelSet.Fingerprint)
_FNV_OFF = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = (1 << 64) - 1


# incidentd's TCP listener needs a bearer token (Benchmarks/run exports BENCH_TOKEN); Alertmanager ignores it.
HEADERS = {"Content-Type": "application/json"}
if os.environ.get("BENCH_TOKEN"):
    HEADERS["Authorization"] = "Bearer " + os.environ["BENCH_TOKEN"]

def am_fingerprint(labels):
    """FNV-1a 64 over sorted (name, 0xff, value, 0xff) exactly like prometheus/common model.labelSetToFingerprint."""
    h = _FNV_OFF
    for k in sorted(labels):
        for part in (k.encode(), labels[k].encode()):
            for b in part:
                h ^= b
                h = (h * _FNV_PRIME) & _MASK
            h ^= 0xFF
            h = (h * _FNV_PRIME) & _MASK
    return "%016x" % h


# ---------------------------------------------------------------- stream model
def iso(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_us(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


class Stream:
    def __init__(self, a):
        self.a = a
        rng = random.Random(a.seed)
        self.fps = []           # list of dict(labels, fp)
        by_service = {}
        names = ALERTNAMES[:a.alertnames] if a.alertnames <= len(ALERTNAMES) else \
            ALERTNAMES + ["Synthetic%02d" % i for i in range(a.alertnames - len(ALERTNAMES))]
        for i in range(a.fingerprints):
            labels = {
                "alertname": names[i % len(names)],
                "service": "svc-%02d" % ((i // len(names)) % a.services),
                "instance": "node-%05d:9100" % i,
                "severity": SEVERITIES[rng.randrange(3)],
            }
            self.fps.append({"labels": labels, "fp": am_fingerprint(labels)})
            by_service.setdefault(labels["service"], []).append(i)
        self.by_service = by_service
        order = list(range(a.fingerprints))
        rng.shuffle(order)
        w = [0.0] * a.fingerprints
        for rank, idx in enumerate(order, 1):
            w[idx] = 1.0 / (rank ** a.zipf)
        self.cum = list(itertools.accumulate(w))
        self.rng = rng

    def events(self):
        """Yield event tuples (seq, t_offset, fp_idx, status, kind, episode_start_offset, burst_id)."""
        a, rng = self.a, self.rng
        firing = {}            # fp_idx -> episode start offset
        t = 0.0
        seq = 0
        burst_id = 0
        total = self.cum[-1]
        services = sorted(self.by_service)
        while seq < a.n:
            if a.burst_every > 0 and seq > 0 and seq % a.burst_every == 0:
                burst_id += 1
                svc = services[rng.randrange(len(services))]
                members = self.by_service[svc]
                for j in range(a.burst_size):
                    if seq >= a.n:
                        break
                    t += rng.expovariate(a.rate * a.burst_speedup)
                    i = members[j % len(members)]
                    if i in firing:
                        kind = "dup"
                    else:
                        firing[i] = t
                        kind = "new"
                    yield (seq, t, i, "firing", kind, firing[i], burst_id)
                    seq += 1
                if seq >= a.n:
                    break
            t += rng.expovariate(a.rate)
            i = bisect.bisect_left(self.cum, rng.random() * total)
            if i >= len(self.cum):
                i = len(self.cum) - 1
            if i in firing:
                if rng.random() < a.resolve_prob:
                    st = firing.pop(i)
                    yield (seq, t, i, "resolved", "resolve", st, 0)
                else:
                    yield (seq, t, i, "firing", "dup", firing[i], 0)
            else:
                firing[i] = t
                yield (seq, t, i, "firing", "new", t, 0)
            seq += 1

    # -------- renderings
    def alert_obj(self, ev, base):
        """Canonical alert object (JSON-lines form)."""
        seq, t, i, status, kind, st, burst = ev
        f = self.fps[i]
        return {
            "seq": seq,
            "ts": iso(base + t),
            "status": status,
            "fingerprint": f["fp"],
            "labels": f["labels"],
            "annotations": {"summary": "%s on %s" % (f["labels"]["alertname"], f["labels"]["instance"])},
            "startsAt": iso(base + st),
            "endsAt": iso(base + t) if status == "resolved" else None,
            "generatorURL": "http://127.0.0.1/gen?seq=%d" % seq,
            "kind": kind,
            "burst": burst,
        }

    def syslog_line(self, ev, base):
        seq, t, i, status, kind, st, burst = ev
        L = self.fps[i]["labels"]
        host = L["instance"].split(":")[0]
        return "%s %s alertgen[4242]: ALERT status=%s fp=%s alertname=%s service=%s instance=%s severity=%s seq=%d" % (
            iso(base + t), host, status, self.fps[i]["fp"], L["alertname"], L["service"], L["instance"],
            L["severity"], seq)


def am_postable(obj, rebase, ts_mode, now):
    """Alertmanager API v2 postableAlert from the canonical object."""
    al = {"labels": obj["labels"], "annotations": obj["annotations"], "generatorURL": obj["generatorURL"]}
    st = parse_time(obj["startsAt"]) + rebase
    if ts_mode == "past":
        al["startsAt"] = iso(st)
        if obj["status"] == "resolved":
            al["endsAt"] = iso(parse_time(obj["endsAt"]) + rebase)
    elif ts_mode == "omit":
        if obj["status"] == "resolved":
            al["startsAt"] = iso(now - 1.0)
            al["endsAt"] = iso(now)
    return al


# ---------------------------------------------------------------- modes
def cmd_summary(a, s):
    base = parse_time(a.base_time)
    h = hashlib.sha256()
    kinds = {}
    touched = set()
    bursts = set()
    last_t = 0.0
    for ev in s.events():
        obj = s.alert_obj(ev, base)
        h.update((json.dumps(obj, separators=(",", ":")) + "\n").encode())
        kinds[ev[4]] = kinds.get(ev[4], 0) + 1
        touched.add(ev[2])
        if ev[6]:
            bursts.add(ev[6])
        last_t = ev[1]
    groups = {(s.fps[i]["labels"]["alertname"], s.fps[i]["labels"]["service"]) for i in touched}
    out = {"mode": "summary", "seed": a.seed, "n": a.n, "fingerprints_defined": a.fingerprints,
           "fingerprints_touched": len(touched), "groups_alertname_service": len(groups),
           "kinds": kinds, "bursts": len(bursts), "logical_span_s": round(last_t, 3),
           "sha256_jsonl": h.hexdigest()}
    print(json.dumps(out))


def open_out(path):
    return sys.stdout if path == "-" else open(path, "w", buffering=1 << 20)


def cmd_jsonl(a, s):
    base = parse_time(a.base_time)
    deadline = time.time() + a.max_seconds
    n = 0
    t0 = time.time()
    if a.unix:
        sk = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sk.settimeout(a.max_seconds)
        sk.connect(a.unix)
        buf = []
        for ev in s.events():
            buf.append(json.dumps(s.alert_obj(ev, base), separators=(",", ":")) + "\n")
            n += 1
            if len(buf) >= 512:
                sk.sendall("".join(buf).encode())
                buf = []
                if time.time() > deadline:
                    break
        if buf:
            sk.sendall("".join(buf).encode())
        sk.shutdown(socket.SHUT_WR)
        sk.close()
    else:
        fh = open_out(a.out)
        for ev in s.events():
            fh.write(json.dumps(s.alert_obj(ev, base), separators=(",", ":")) + "\n")
            n += 1
        if fh is not sys.stdout:
            fh.close()
    print(json.dumps({"mode": "jsonl", "lines": n, "dest": a.unix or a.out,
                      "elapsed_s": round(time.time() - t0, 3)}), file=sys.stderr if a.out == "-" else sys.stdout)


def cmd_amlines(a, s):
    """One Alertmanager API v2 postable alert a line (labels, annotations, startsAt, endsAt when resolved,
    generatorURL), logical times unshifted: what Benchmarks/run sends to incidentd and Alertmanager alike."""
    base = parse_time(a.base_time)
    fh = open_out(a.out)
    n = 0
    for ev in s.events():
        al = am_postable(s.alert_obj(ev, base), 0.0, "past", 0.0)
        # microseconds, not gen.py's milliseconds: a resolve and the next firing of the same alert inside one
        # millisecond (in a burst) would otherwise carry equal times, and an equal time reopens (reopen_within).
        seq, t, i, status, kind, st, burst = ev
        al["startsAt"] = iso_us(base + st)
        if status == "resolved":
            al["endsAt"] = iso_us(base + t)
        fh.write(json.dumps(al, separators=(",", ":")) + "\n")
        n += 1
    if fh is not sys.stdout:
        fh.close()
    print(json.dumps({"mode": "amlines", "lines": n, "dest": a.out}), file=sys.stderr if a.out == "-" else sys.stdout)


def cmd_syslog(a, s):
    base = parse_time(a.base_time)
    fh = open_out(a.out)
    n = 0
    for ev in s.events():
        fh.write(s.syslog_line(ev, base) + "\n")
        n += 1
    if fh is not sys.stdout:
        fh.close()
    print(json.dumps({"mode": "syslog", "lines": n, "dest": a.out}), file=sys.stderr if a.out == "-" else sys.stdout)


def cmd_unix_sink(a, _s):
    try:
        os.unlink(a.path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(a.path)
    srv.listen(1)
    srv.settimeout(a.max_seconds)
    deadline = time.time() + a.max_seconds
    lines = nbytes = 0
    first = None
    try:
        c, _ = srv.accept()
        c.settimeout(max(0.1, deadline - time.time()))
        fh = open(a.out, "wb") if a.out else None
        while time.time() < deadline:
            d = c.recv(1 << 16)
            if not d:
                break
            if first is None:
                first = d.split(b"\n", 1)[0]
            lines += d.count(b"\n")
            nbytes += len(d)
            if fh:
                fh.write(d)
        if fh:
            fh.close()
        c.close()
    finally:
        srv.close()
        os.unlink(a.path)
    print(json.dumps({"mode": "unix-sink", "lines": lines, "bytes": nbytes,
                      "first_line": first.decode() if first else None}))


def _am_worker(args):
    """Send pre-serialised batches over one keep-alive HTTP connection; bounded by count and deadline."""
    host, port, bodies, n_alerts, deadline, start_at = args
    while time.time() < start_at:           # crude common start barrier
        time.sleep(0.001)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    sent = errs = 0
    codes = {}
    t0 = time.time()
    c0 = time.process_time()
    for body, k in zip(bodies, n_alerts):
        if time.time() > deadline:
            break
        try:
            conn.request("POST", "/api/v2/alerts", body=body, headers=HEADERS)
            r = conn.getresponse()
            r.read()
            codes[r.status] = codes.get(r.status, 0) + 1
            if r.status == 200:
                sent += k
            else:
                errs += 1
        except Exception as e:  # count and reconnect
            errs += 1
            codes[type(e).__name__] = codes.get(type(e).__name__, 0) + 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
    t1 = time.time()
    conn.close()
    return {"sent": sent, "errs": errs, "codes": codes, "t0": t0, "t1": t1, "cpu": time.process_time() - c0}


def _busy_s():
    """Busy CPU seconds of the whole machine (all cores) from /proc/stat."""
    with open("/proc/stat") as fh:
        f = fh.readline().split()
    return (int(f[1]) + int(f[2]) + int(f[3]) + int(f[6]) + int(f[7]) + int(f[8])) / os.sysconf("SC_CLK_TCK")


def _pid_cpu_s(pid):
    if not pid:
        return 0.0
    with open("/proc/%d/stat" % pid) as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def cmd_am(a, s):
    from urllib.parse import urlparse
    u = urlparse(a.url)
    base = parse_time(a.base_time)
    evs = list(s.events())
    span = evs[-1][1] if evs else 0.0
    now = time.time()
    rebase = (now - span - 60.0) - base    # shift logical times so that the whole stream lies in the past
    # partition by fingerprint so that per-fingerprint order is kept when --conns > 1
    parts = [[] for _ in range(a.conns)]
    for ev in evs:
        parts[int(s.fps[ev[2]]["fp"], 16) % a.conns].append(
            am_postable(s.alert_obj(ev, base), rebase, a.timestamps, now))
    # pre-serialise every request body before the timed window
    prepared = []
    for p in parts:
        bodies, counts = [], []
        for k in range(0, len(p), a.batch):
            chunk = p[k:k + a.batch]
            bodies.append(json.dumps(chunk, separators=(",", ":")).encode())
            counts.append(len(chunk))
        prepared.append((bodies, counts))
    start_at = time.time() + (0.05 if a.conns == 1 else 0.5)
    deadline = start_at + a.max_seconds
    jobs = [(u.hostname, u.port or 80, b, c, deadline, start_at) for b, c in prepared]

    def window_open():
        while time.time() < start_at:
            time.sleep(0.0005)
        if a.ready_file:                      # tells a concurrent script that sending starts now
            with open(a.ready_file, "w") as fh:
                fh.write("%.6f\n" % time.time())
        return _busy_s(), _pid_cpu_s(a.watch_pid)
    if a.conns == 1:
        busy0, w0 = window_open()
        res = [_am_worker(jobs[0])]
        busy1, w1 = _busy_s(), _pid_cpu_s(a.watch_pid)
    else:
        with mp.get_context("fork").Pool(a.conns) as pool:
            ar = pool.map_async(_am_worker, jobs)
            busy0, w0 = window_open()
            res = ar.get(timeout=a.max_seconds + 60)
            busy1, w1 = _busy_s(), _pid_cpu_s(a.watch_pid)
    t0 = min(r["t0"] for r in res)
    t1 = max(r["t1"] for r in res)
    sent = sum(r["sent"] for r in res)
    codes = {}
    for r in res:
        for k, v in r["codes"].items():
            codes[str(k)] = codes.get(str(k), 0) + v
    el = t1 - t0
    out = {"mode": "am", "n_stream": len(evs), "alerts_accepted": sent, "batch": a.batch, "conns": a.conns,
           "requests": sum(codes.values()), "errors": sum(r["errs"] for r in res), "codes": codes,
           "elapsed_s": round(el, 4), "alerts_per_s": round(sent / el, 1) if el > 0 else None,
           "t_start": round(t0, 6), "t_end": round(t1, 6),
           "requests_per_s": round(sum(codes.values()) / el, 1) if el > 0 else None,
           "client_cpu_s": round(sum(r["cpu"] for r in res), 3), "timestamps": a.timestamps,
           "truncated_by_deadline": sent < len(evs),
           # CPU accounting over the same window (machine = all cores, from /proc/stat)
           "machine_busy_cpu_s": round(busy1 - busy0, 2),
           "watched_pid": a.watch_pid, "watched_pid_cpu_s": round(w1 - w0, 3) if a.watch_pid else None,
           "other_cpu_s": round((busy1 - busy0) - (w1 - w0) - sum(r["cpu"] for r in res), 2)}
    print(json.dumps(out))


def _sink_scan(path, offset, want):
    """Read new sink records from offset; return (new_offset, {service_label: t_recv})."""
    found = {}
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    cut = data.rfind(b"\n") + 1
    for line in data[:cut].splitlines():
        try:
            rec = json.loads(line)
            body = rec["body"]
            # Alertmanager's webhook: groupLabels; incidentd's json notifier: the paging alert's labels.
            g = body.get("groupLabels") or (body.get("event") or {}).get("labels") or {}
        except Exception:
            continue
        svc = g.get("service")
        if svc in want and svc not in found:
            found[svc] = rec["t_recv"]
    return offset + cut, found


def cmd_probe(a, _s):
    """Latency from POST (t just before the request) to webhook arrival at the sink for brand-new groups."""
    from urllib.parse import urlparse
    u = urlparse(a.url)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
    offset = os.path.getsize(a.sink_file) if os.path.exists(a.sink_file) else 0
    tag = "%d-%d" % (os.getpid(), int(time.time()))
    lat, rtt, missing = [], [], 0
    # The first --warmup probes are sent and timed but not counted: the first page after a start pays for the
    # receiver's first connection and the server's first statements, once, and with 40 probes p99 is the maximum.
    warm = []
    t_first = time.time()
    hard_deadline = t_first + a.max_seconds
    for i in range(a.warmup + a.count):
        if time.time() > hard_deadline:
            break
        svc = "probe-%s-%03d" % (tag, i)
        al = {"labels": {"alertname": "LatencyProbe", "service": svc, "instance": "probe:1",
                         "severity": "info"}, "annotations": {"summary": "latency probe"}}
        if a.startsat == "now":
            al["startsAt"] = iso(time.time())
        elif a.startsat == "past":
            al["startsAt"] = iso(time.time() - 60)
        body = json.dumps([al]).encode()
        t0 = time.time()
        conn.request("POST", "/api/v2/alerts", body=body, headers=HEADERS)
        r = conn.getresponse()
        r.read()
        t1 = time.time()
        if i >= a.warmup:
            rtt.append(t1 - t0)
        got = None
        wait_until = min(t0 + a.wait, hard_deadline)
        while time.time() < wait_until:
            offset, found = _sink_scan(a.sink_file, offset, {svc})
            if svc in found:
                got = found[svc]
                break
            time.sleep(0.002)
        if i < a.warmup:
            warm.append(None if got is None else got - t0)
        elif got is None:
            missing += 1
        else:
            lat.append(got - t0)
        time.sleep(a.interval)
    conn.close()

    def q(v, p):
        if not v:
            return None
        v = sorted(v)
        return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
    ms = lambda x: None if x is None else round(x * 1000, 2)
    out = {"mode": "probe", "startsat": a.startsat, "probes": len(rtt), "received": len(lat), "missing": missing,
           "latency_ms_median": ms(statistics.median(lat)) if lat else None,
           "latency_ms_p95": ms(q(lat, 0.95)), "latency_ms_min": ms(min(lat) if lat else None),
           "latency_ms_max": ms(max(lat) if lat else None),
           "post_rtt_ms_median": ms(statistics.median(rtt)) if rtt else None,
           "t_first": round(t_first, 6), "t_last": round(time.time(), 6),
           "warmup_ms": [ms(x) for x in warm], "latencies_ms": [ms(x) for x in lat]}
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--n", type=int, default=10000, help="number of events (alerts) in the stream")
    ap.add_argument("--fingerprints", type=int, default=1000, help="distinct label sets (M)")
    ap.add_argument("--alertnames", type=int, default=12)
    ap.add_argument("--services", type=int, default=20)
    ap.add_argument("--zipf", type=float, default=1.0, help="popularity skew exponent (0 = uniform)")
    ap.add_argument("--resolve-prob", type=float, default=0.15)
    ap.add_argument("--burst-every", type=int, default=2000, help="0 disables bursts")
    ap.add_argument("--burst-size", type=int, default=200)
    ap.add_argument("--burst-speedup", type=float, default=50.0)
    ap.add_argument("--rate", type=float, default=500.0, help="logical events/s for timestamps")
    ap.add_argument("--base-time", default="2024-01-01T00:00:00Z")
    sub = ap.add_subparsers(dest="mode", required=True)
    sub.add_parser("summary")
    p = sub.add_parser("jsonl")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--out")
    g.add_argument("--unix")
    p.add_argument("--max-seconds", type=float, default=60.0)
    p = sub.add_parser("syslog")
    p.add_argument("--out", required=True)
    p = sub.add_parser("amlines")
    p.add_argument("--out", required=True)
    p = sub.add_parser("am")
    p.add_argument("--url", default="http://127.0.0.1:19093")
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--max-seconds", type=float, default=60.0)
    p.add_argument("--ready-file", help="written (with a timestamp) when the timed sending window opens")
    p.add_argument("--watch-pid", type=int, default=0,
                   help="also report this PID's CPU seconds over the timed window (e.g. alertmanager)")
    p.add_argument("--timestamps", choices=["past", "omit"], default="past",
                   help="past: logical times shifted so the stream lies in the past (startsAt/endsAt set); "
                        "omit: no startsAt on firing alerts (Alertmanager stamps now)")
    p = sub.add_parser("probe")
    p.add_argument("--url", default="http://127.0.0.1:19093")
    p.add_argument("--sink-file", required=True)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--wait", type=float, default=10.0, help="max seconds to wait for one webhook")
    p.add_argument("--max-seconds", type=float, default=120.0)
    p.add_argument("--startsat", choices=["omit", "now", "past"], default="omit")
    p.add_argument("--warmup", type=int, default=0, help="probes sent first and not counted (warmup_ms)")
    p = sub.add_parser("unix-sink")
    p.add_argument("--path", required=True)
    p.add_argument("--out")
    p.add_argument("--max-seconds", type=float, default=60.0)
    a = ap.parse_args()
    if a.mode in ("unix-sink", "probe"):
        s = None
    else:
        if a.n > 5_000_000:
            sys.exit("refusing --n > 5,000,000 (bounded generator)")
        s = Stream(a)
    {"summary": cmd_summary, "jsonl": cmd_jsonl, "syslog": cmd_syslog, "amlines": cmd_amlines, "am": cmd_am,
     "probe": cmd_probe, "unix-sink": cmd_unix_sink}[a.mode](a, s)


if __name__ == "__main__":
    main()
