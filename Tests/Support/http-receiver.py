#!/usr/bin/env python3
"""A webhook receiver for incidentd's notifier tests: it can succeed, fail, stall, rate-limit and be killed.

Every request is logged as one JSON line (path, idempotency key, headers, body, status, duplicate). Like a
careful real receiver it remembers the Idempotency-Key values it accepted and answers a repeat with 200
without acting on it ("duplicate": true in the log), which is what makes a resend after kill -9 harmless.

Paths choose the behaviour:
  /ok               200
  /fail             500
  /bad/CODE         CODE (e.g. 400, 404, 408)
  /flaky/N          500 for the first N requests on this path, then 200
  /ratelimit/N/S    429 with Retry-After: S for the first N requests on this path, then 200
  /stall/S          sleeps S seconds, then 200
  /hold/S           accepts (records the key), logs, sleeps S seconds, then 200: the window for kill -9
  /garbage          502 with a binary, non-UTF-8 body
  /redirect/CODE?to=URL   CODE (301, 302, 303, 307, 308) with Location: URL

GET requests are logged too, so a redirect followed as a GET is seen by the receiver it points at.
"""
import argparse, json, threading, time
from urllib.parse import parse_qs, urlsplit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
accepted = set()
counts = {}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    log = open(args.log, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def record(self, status, body, duplicate=False):
            try:
                parsed = json.loads(body)
            except Exception:
                parsed = body.decode("utf-8", "replace")
            entry = {"t": time.time(), "path": self.path, "key": self.headers.get("Idempotency-Key"),
                     "headers": {k.lower(): v for k, v in self.headers.items()}, "body": parsed,
                     "status": status, "duplicate": duplicate}
            with lock:
                log.write(json.dumps(entry) + "\n")

        def answer(self, status, text=b"", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def do_GET(self):
            self.record(200, b"")
            self.answer(200, b"ok")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            key = self.headers.get("Idempotency-Key")
            url = urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]
            with lock:
                n = counts.get(self.path, 0)
                counts[self.path] = n + 1
                duplicate = key is not None and key in accepted
            if duplicate:
                self.record(200, body, duplicate=True)
                return self.answer(200, b"duplicate")
            kind = parts[0] if parts else "ok"
            status, headers, text = 200, [], b"accepted"
            if kind == "fail":
                status, text = 500, b"boom"
            elif kind == "bad":
                status, text = int(parts[1]), b"refused"
            elif kind == "flaky" and n < int(parts[1]):
                status, text = 500, b"flaky"
            elif kind == "ratelimit" and n < int(parts[1]):
                status, headers, text = 429, [("Retry-After", parts[2])], b"slow down"
            elif kind == "stall":
                time.sleep(float(parts[1]))
            elif kind == "redirect":
                target = parse_qs(url.query).get("to", ["/ok"])[0]
                status, headers, text = int(parts[1]), [("Location", target)], b"moved"
            elif kind == "garbage":
                status, text = 502, bytes([0xFF, 0xFE, 0x00, 0x1B]) + b"[31m\x07junk"
            if status < 300:
                with lock:
                    if key is not None:
                        accepted.add(key)
            self.record(status, body)
            if kind == "hold":
                time.sleep(float(parts[1]))
            self.answer(status, text, headers)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
