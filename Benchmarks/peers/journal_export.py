#!/usr/bin/env python3
"""gen.py's syslog lines (stdin) -> journal export format (stdout), for systemd-journal-remote.

Benchmarks/run's BENCH_JOURNAL hook pipes this into `systemd-journal-remote --output=DIR/bench.journal -`, so
incidentd's journal source reads the same events SEC reads as lines. Each line
  2024-01-01T00:00:00.003Z node-00096 alertgen[4242]: ALERT status=firing fp=... alertname=... ...
becomes an entry with __REALTIME_TIMESTAMP (the line's time), __MONOTONIC_TIMESTAMP, _BOOT_ID, _HOSTNAME,
SYSLOG_IDENTIFIER=alertgen, _PID, PRIORITY (3 for firing, 5 for resolved) and MESSAGE (the text after "]: ").
"""
import sys
from datetime import datetime

BOOT_ID = "0c0ffee0c0ffee0c0ffee0c0ffee0c0f"


def main():
    out = sys.stdout.buffer
    first = None
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        stamp, host, rest = line.split(" ", 2)
        ident, _, message = rest.partition(": ")
        name, _, pid = ident.partition("[")
        us = int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1_000_000)
        first = us if first is None else first
        priority = "5" if " status=resolved " in message else "3"
        entry = (
            "__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_HOSTNAME=%s\nSYSLOG_IDENTIFIER=%s\n"
            "_PID=%s\nPRIORITY=%s\nMESSAGE=%s\n\n" % (us, us - first + 1, BOOT_ID, host, name, pid.rstrip("]"),
                                                     priority, message))
        out.write(entry.encode())


if __name__ == "__main__":
    main()
