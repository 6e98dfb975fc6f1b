"""The real incidentd on temporary paths, for the browser tests (SPEC §14).

Builds nothing: scripts/test runs `swift build` first, and the binaries are taken from `.build/debug` of the
repository this file is in (or from $INCIDENTD_BIN_DIR, to try the tests against another build). Each Daemon
gets a temporary directory with its own config, store, sockets, users and notification files; it listens on a
free loopback port and is stopped with SIGTERM (then SIGKILL) at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Iterable, TypeVar

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("INCIDENTD_BIN_DIR") or REPO / ".build" / "debug")
INCIDENTD = BIN_DIR / "incidentd"
INCIDENTCTL = BIN_DIR / "incidentctl"
FAILURES = REPO / ".build" / "browser-failures"

# Everyone the tests sign in as; passwords go to `incidentctl user add --password-stdin`, never argv.
USERS = {
    "alice": ("operator", "alice-correct-horse-1"),
    "victor": ("viewer", "victor-battery-staple-2"),
    "rita": ("reporter", "rita-tr0ub4dor-3"),
}

# A rule file of the tests' own, read before the shipped rules: an outage with a fixed title that names a
# person, so the status page test can prove neither reaches the public.
TEST_RULES = """\
rules:
  - name: browser-wiki-outage
    match: ['alertname="BrowserWikiDown"']
    kind: outage
    impact: high
    urgency: high
    title: 'Wiki down: Margaret Hamilton cannot save pages'
"""

T = TypeVar("T")


class HarnessError(Exception):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *arguments):
        return None  # the 3xx itself is the answer


def wait_for(what: str, condition: Callable[[], T], timeout: float = 60.0, interval: float = 0.1) -> T:
    """Polls `condition` until it returns something truthy; raises after `timeout` seconds saying `what`."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # the daemon may not listen yet
            last_error = error
        if time.monotonic() >= deadline:
            raise HarnessError(f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_error})")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One incidentd with a config of its own. `features` says which parts of SPEC §14 this build has."""

    token = "browser-test-token-0123456789abcdefghijklmnop"

    def __init__(self, name: str = "browser") -> None:
        for binary in (INCIDENTD, INCIDENTCTL):
            if not os.access(binary, os.X_OK):
                raise HarnessError(f"{binary} is missing: run `swift build` first (scripts/test does)")
        self.directory = Path(tempfile.mkdtemp(prefix=f"incidentd-{name}-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = self.directory / "incidentd.yaml"
        self.log_path = self.directory / "incidentd.log"
        self.process: subprocess.Popen | None = None
        self.features: dict[str, bool] = {}
        self.missing: dict[str, str] = {}
        self._write_files()

    # MARK: setting up

    def _write_files(self) -> None:
        rules = self.directory / "rules"
        rules.mkdir()
        (rules / "10-browser.yaml").write_text(TEST_RULES)
        token_file = self.directory / "http.token"
        token_file.write_text(self.token)
        token_file.chmod(0o600)
        self.users = self._add_users()
        self.features["users"] = self.users
        # http.auth and http.status_page are honoured by builds that have them; older ones refuse unknown keys,
        # so the config is tried with them first and without them when `incidentd validate` says no.
        self._write_config(auth=True)
        check = subprocess.run(
            [str(INCIDENTD), "validate", "--config", str(self.config)], capture_output=True, text=True, timeout=120
        )
        if check.returncode != 0:
            self.missing["auth-config"] = (
                "this build refuses http.auth / http.status_page: " + (check.stdout + check.stderr).strip()[-400:]
            )
            self._write_config(auth=False)
            self.features["users"] = False
            self.features["status_public"] = False
        else:
            self.features["status_public"] = True

    def _add_users(self) -> bool:
        """Creates alice, victor and rita through `incidentctl user add --password-stdin`; False when that
        command does not exist in this build."""
        users_file = self.directory / "users"
        for name, (role, password) in USERS.items():
            result = subprocess.run(
                [str(INCIDENTCTL), "user", "add", name, "--role", role, "--password-stdin", "--file", str(users_file)],
                input=password + "\n", capture_output=True, text=True, timeout=120,
            )
            if result.returncode != 0:
                self.missing["users"] = (
                    f"`incidentctl user add {name} --role {role} --password-stdin --file ...` failed "
                    f"({result.returncode}): {(result.stdout + result.stderr).strip()[-300:]}"
                )
                return False
        return True

    def _write_config(self, auth: bool) -> None:
        d = self.directory
        pages = d / "notifications.jsonl"
        notifiers = "\n".join(
            f"  - {{ name: {n}, type: file, path: {pages} }}"
            for n in ("oncall", "team-lead", "manager", "security-team", "lead", "log")
        )
        auth_lines = f"  status_page: public\n  auth: {{ users_file: {d / 'users'} }}\n" if auth else ""
        self.config.write_text(
            f"""\
# Written by Tests/browser/harness.py for one test run.
state_dir: {d / 'state'}
rules: [{d / 'rules'}, {REPO / 'rules'}]
store: {{ sqlite: {{ path: {d / 'state' / 'incidentd.sqlite'} }} }}
sources:
  journal: {{ enabled: false }}
  socket: {{ enabled: true, path: {d / 'ingest.sock'} }}
  spool: {{ enabled: false }}
http:
  control_socket: {d / 'control.sock'}
  listen: 127.0.0.1:{self.port}
  token_file: {d / 'http.token'}
{auth_lines}notifiers:
{notifiers}
"""
        )

    # MARK: running

    def start(self, timeout: float = 120.0, probe: bool = True) -> "Daemon":
        """Starts incidentd, waits for /readyz, and (with `probe`) checks what it honours by signing alice in."""
        environment = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "INCIDENTD_CONFIG")}
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(INCIDENTD), "--config", str(self.config)], cwd=self.directory, env=environment,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()

        def ready() -> bool:
            if self.process.poll() is not None:
                raise HarnessError(f"incidentd exited with {self.process.returncode} before ready:\n{self.log()}")
            status, body, _ = self.http("GET", "/readyz", auth=True)
            return status == 200 and json.loads(body).get("ready") is True

        try:
            wait_for("incidentd /readyz", ready, timeout=timeout, interval=0.2)
        except HarnessError as error:
            if self.process.poll() is not None:
                raise HarnessError(f"incidentd exited with {self.process.returncode}:\n{self.log()}") from error
            raise
        if probe:
            self._probe()
        return self

    def _probe(self) -> None:
        """Whether the daemon honours what the config asks for: alice can sign in, /status needs no sign-in."""
        if self.features.get("users"):
            status, location = self.sign_in_status("alice", USERS["alice"][1])
            if status != 303:
                self.features["users"] = False
                self.missing["users"] = (
                    f"the daemon does not honour http.auth.users_file: POST /login as alice with her password "
                    f"answered {status}, not 303"
                )
        if self.features.get("status_public"):
            status, _, headers = self.http("GET", "/status", follow=False)
            if status != 200:
                self.features["status_public"] = False
                self.missing["status_public"] = (
                    f"the daemon does not honour http.status_page: public: GET /status without a session answered "
                    f"{status} {headers.get('Location', '')}"
                )

    def sign_in_status(self, user: str, password: str) -> tuple[int, str]:
        """Signs in over plain HTTP the way the form does; returns the status and Location of the answer."""
        status, body, headers = self.http("GET", "/login", follow=False)
        token = re.search(r'name="_csrf" value="([^"]*)"', body)
        cookie = re.search(r"incidentd_login=([^;]*)", headers.get("Set-Cookie", ""))
        if status != 200 or not token or not cookie:
            return status, ""
        form = urllib.parse.urlencode({"_csrf": token.group(1), "user": user, "password": password, "next": ""})
        status, _, headers = self.http(
            "POST", "/login", form.encode(), follow=False,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"incidentd_login={cookie.group(1)}"},
        )
        return status, headers.get("Location", "")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if os.environ.get("BROWSER_KEEP_TEMP"):
            print(f"kept {self.directory}")
        else:
            shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    # MARK: talking to it

    def http(
        self, method: str, path: str, body: bytes | None = None, auth: bool = False,
        headers: dict[str, str] | None = None, follow: bool = True,
    ) -> tuple[int, str, dict[str, str]]:
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        if auth:
            request.add_header("Authorization", f"Bearer {self.token}")
        opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def send_alert(self, labels: dict[str, str], annotations: dict[str, str] | None = None) -> int:
        """POSTs one firing alert to /api/v2/alerts with the bearer token; returns its incident's number."""
        payload = json.dumps([{"labels": labels, "annotations": annotations or {}}]).encode()
        status, body, _ = self.http(
            "POST", "/api/v2/alerts", payload, auth=True, headers={"Content-Type": "application/json"}
        )
        if status != 200:
            raise HarnessError(f"POST /api/v2/alerts answered {status}: {body}")
        incidents = json.loads(body).get("incidents") or []
        if not incidents:
            raise HarnessError(f"the alert opened no incident: {body}")
        return int(incidents[-1].removeprefix("INC-"))

    def ctl(self, *arguments: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """Runs incidentctl with this daemon's config."""
        result = subprocess.run(
            [str(INCIDENTCTL), *arguments, "--config", str(self.config)], input=input, capture_output=True,
            text=True, timeout=120,
        )
        if check and result.returncode != 0:
            raise HarnessError(f"incidentctl {' '.join(arguments)} failed ({result.returncode}): {result.stderr}")
        return result

    def send_with_ctl(self, labels: dict[str, str], annotations: dict[str, str] | None = None) -> int:
        """`incidentctl send` to the ingest socket; returns the incident's number from its reply."""
        arguments = ["send"]
        for name, value in labels.items():
            arguments += ["--label", f"{name}={value}"]
        for name, value in (annotations or {}).items():
            arguments += ["--annotation", f"{name}={value}"]
        output = self.ctl(*arguments).stdout
        numbers = [int(word.removeprefix("INC-").strip(",.")) for word in output.split() if word.startswith("INC-")]
        if not numbers:
            raise HarnessError(f"incidentctl send named no incident: {output!r}")
        return numbers[-1]

    def incident(self, number: int) -> dict:
        status, body, _ = self.http("GET", f"/api/v1/incidents/{number}", auth=True)
        if status != 200:
            raise HarnessError(f"GET /api/v1/incidents/{number} answered {status}: {body}")
        return json.loads(body)


def state_of(detail: dict) -> str:
    """An incident's state from GET /api/v1/incidents/{id}, whichever nesting the body uses."""
    incident = detail.get("incident", detail)
    return incident["state"]


def words(values: Iterable[str]) -> str:
    return ", ".join(values)
