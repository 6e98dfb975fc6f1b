# Shared by the benchmark scripts, which source it (`. Benchmarks/lib.sh` after their `cd` to the repository):
# a free port, the bearer token, the notifiers the shipped rules page, and a daemon's CPU time and metrics.

# A TCP port nobody listens on at this moment (the kernel's choice).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A random bearer token for the daemon's TCP listener, in BENCH_TOKEN (kept when already set), which the load
# generators send.
export BENCH_TOKEN=${BENCH_TOKEN:-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')}

# The `notifiers:` block for the shipped rules, every notifier a file in the daemon's directory. The shipped config
# sends `log` to the journal; this machine has no journald, and pages to it would be retried.
file_notifiers() {
    cat <<'YAML'
notifiers:
  - { name: oncall, type: file, path: pages.jsonl }
  - { name: team-lead, type: file, path: pages.jsonl }
  - { name: manager, type: file, path: pages.jsonl }
  - { name: security-team, type: file, path: pages.jsonl }
  - { name: log, type: file, path: log.jsonl }
YAML
}

# cpu_ms PID: the process's CPU time so far (user + system), in milliseconds.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }

# metric CONTROL_SOCKET NAME: the metric's value as an integer, empty when the daemon does not answer.
metric() {
    curl -s --unix-socket "$1" http://localhost/metrics 2>/dev/null | awk -v m="$2" '$1 == m { printf "%d\n", $2 }' ||
        true
}
