"""Fault scenarios shared by the test suite and `benchmarks/reliability.py`.

One scenario = one fault injected into the sandbox while a publish runs (the real client, one
upload lane), then the verdict:

- the run ended with the complete intended commit on the Hub (exactly one new commit whose files
  are the checkout's, byte for byte), or with a clean failure that changed nothing (same head, same
  commits, same bytes); a commit that lands after the client gave up (a timed-out request the
  server still applies) counts as "complete" only if it is whole;
- a re-run with the fault gone converges: exactly one new commit in total, with the intended content.

The client's own backoff (huggingface_hub `http_backoff`, 1-8 s a retry) is recorded instead of
slept, so a persistent fault takes seconds, not minutes; `Outcome.waits` reports what a real run
would have slept on top of the measured time.
"""

from __future__ import annotations

import contextlib
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.reliability.helpers import REPO, HubState, local_files


@dataclass(frozen=True)
class Fault:
    """What to inject. `route` is "preupload", "upload" or "commit" (the upload route depends on the
    lane: the LFS PUT, or the xet write-token request: the xet CAS itself is a local directory)."""

    name: str
    route: str
    spec: dict = field(default_factory=dict)
    times: int | None = 1
    client_timeout: float | None = None  # seconds; None: huggingface_hub's default (no timeout)
    real_sleep: bool = False  # publish's own backoff really sleeps (a restarting server needs the time)
    expect: tuple[str, ...] = ("committed",)  # the outcomes that are right for this fault

    @property
    def persistent(self) -> bool:
        return self.times is None


def route(name: str, lane: str) -> tuple[str, str]:
    """(method, path regex) of a route in a lane."""
    if name == "preupload":
        return "POST", r"/preupload/"
    if name == "commit":
        return "POST", r"/commit/"
    if name == "upload":
        return ("PUT", r"^/_sandbox/lfs/") if lane == "lfs" else ("GET", r"/xet-write-token/")
    raise ValueError(name)


TIMEOUT = 1.0  # the client timeout the slow-server scenarios set
SLOW = 2.5  # how long the slow server takes (> TIMEOUT)

CLEAN = ("clean failure",)
LATE = ("committed after the client gave up",)

TRANSIENT = [
    *(Fault(f"{r}-{code}", r, {"status": code}) for r in ("preupload", "upload", "commit") for code in (500, 503)),
    *(Fault(f"{r}-429-retry-after", r, {"status": 429, "retry_after": 1}) for r in ("preupload", "upload", "commit")),
    *(Fault(f"{r}-dropped", r, {"drop": True}) for r in ("preupload", "upload", "commit")),
    Fault("server-dies-before-commit", "commit", {"crash": "before", "restart_after": 0.3}, real_sleep=True),
    Fault("server-dies-mid-commit", "commit", {"crash": "commit", "restart_after": 0.3}, real_sleep=True),
    Fault("server-dies-after-commit", "commit", {"crash": "after", "restart_after": 0.3}, real_sleep=True),
    Fault("slow-preupload", "preupload", {"delay": SLOW}, client_timeout=TIMEOUT),
    Fault("slow-upload", "upload", {"delay": SLOW}, client_timeout=TIMEOUT),
    Fault("slow-commit", "commit", {"delay": SLOW}, client_timeout=TIMEOUT),
]

# The fault never goes away during the run (or the server stays down): the run must fail cleanly,
# or, where the server applied a commit the client had given up on, leave that one whole commit.
PERSISTENT = [
    Fault("preupload-503-persistent", "preupload", {"status": 503}, times=None, expect=CLEAN),
    Fault("upload-500-persistent", "upload", {"status": 500}, times=None, expect=CLEAN),
    Fault("commit-500-persistent", "commit", {"status": 500}, times=None, expect=CLEAN),
    Fault("commit-429-persistent", "commit", {"status": 429, "retry_after": 1}, times=None, expect=CLEAN),
    Fault("commit-dropped-persistent", "commit", {"drop": True}, times=None, expect=CLEAN),
    Fault("server-down-mid-commit", "commit", {"crash": "commit"}, expect=CLEAN),  # down for the whole run
    Fault("server-down-after-commit", "commit", {"crash": "after"}, expect=LATE),
    # Every commit request outlives the client's timeout, and the server still applies the first:
    # publish's re-read after an ambiguous failure finds it and reports it (no duplicate).
    Fault(
        "slow-commit-persistent",
        "commit",
        {"delay": SLOW},
        times=None,
        client_timeout=TIMEOUT,
        expect=("committed",) + LATE,
    ),
]


# --- the client's timing ---------------------------------------------------------------------


@contextlib.contextmanager
def client_backoff_recorded(waits: list[float]) -> Iterator[None]:
    """huggingface_hub's `http_backoff` records its sleeps in `waits` instead of sleeping; the
    publish's retry budget is charged for them as if they had been slept."""
    from huggingface_hub.utils import _http

    from hf_publish.publishing import hub

    def record(seconds: float) -> None:
        waits.append(seconds)
        budget = hub._budget()
        if budget is not None:
            budget.advance(seconds)

    real = _http.time
    shim = types.SimpleNamespace(**{k: getattr(real, k) for k in dir(real) if not k.startswith("__")})
    shim.sleep = record
    _http.time = shim
    try:
        yield
    finally:
        _http.time = real


@contextlib.contextmanager
def client_timeout(seconds: float | None) -> Iterator[None]:
    """Give huggingface_hub's shared HTTP client a timeout (its default client has none: a Hub that
    never answers an API call hangs the caller). The documented knob: `set_client_factory`."""
    if seconds is None:
        yield
        return
    import httpx2
    from huggingface_hub.utils import _http, close_session, set_client_factory

    def factory() -> httpx2.Client:
        return httpx2.Client(
            event_hooks={"request": [_http.hf_request_event_hook]}, follow_redirects=True, timeout=seconds
        )

    set_client_factory(factory)
    try:
        yield
    finally:
        set_client_factory(_http.default_client_factory)
        close_session()


# --- one scenario ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    scenario: str
    lane: str
    attempts: int  # commit requests the faulted run sent
    outcome: str  # "committed", "clean failure", "committed after the client gave up", or a violation
    lost: int  # intended files missing or wrong after the re-run (must be 0)
    duplicated: int  # commits beyond the one intended (must be 0)
    seconds: float  # wall time of the faulted run
    waits: float  # client + publish backoff recorded instead of slept: a real run waits that much longer
    faults_hit: int
    error: str = ""
    ok: bool = True
    problems: list[str] = field(default_factory=list)


def settle(sandbox, fault: Fault, rule: Any) -> None:
    """Let a fault finish playing out: delayed requests answered, a crashed server back up."""
    if fault.spec.get("delay"):
        deadline = time.monotonic() + fault.spec["delay"] + 5
        while time.monotonic() < deadline:  # a delayed request is logged once the server handled it
            if len([r for r in sandbox.requests if rule.path.search(r.path)]) >= rule.hits:
                break
            time.sleep(0.05)
    if fault.spec.get("crash"):
        restart_after = fault.spec.get("restart_after")
        if restart_after is None or not sandbox.wait_until_running(timeout=restart_after + 5):
            sandbox.restart()  # an operator brings it back (from its data dir)


def exercise(sandbox, run: Callable[..., Any], checkout, lane: str, fault: Fault) -> Outcome:
    """Inject `fault`, publish `checkout` (a local change pending), judge, re-run, judge again.

    `run(checkout, sleep=...)` publishes and returns the PublishReport (or raises HubError)."""
    from hf_publish.errors import HubError

    before = HubState.of(sandbox)
    intended = local_files(checkout)
    method, path = route(fault.route, lane)
    sandbox.clear_log()
    rule = sandbox.inject(method=method, path=path, times=fault.times, **fault.spec)
    waits: list[float] = []

    def publish_sleep(seconds: float) -> None:
        if fault.real_sleep:
            time.sleep(seconds)  # in the measured time already
        else:
            waits.append(seconds)

    error: BaseException | None = None
    started = time.perf_counter()
    with client_timeout(fault.client_timeout), client_backoff_recorded(waits):
        try:
            run(checkout, sleep=publish_sleep)
        except HubError as exc:
            error = exc
        seconds = time.perf_counter() - started
        settle(sandbox, fault, rule)
        attempts = len([r for r in sandbox.requests if "/commit/" in r.path])
    sandbox.clear_faults()
    after = HubState.of(sandbox)

    problems = []
    landed = after.commits - before.commits
    whole = _mirrors(after, intended)
    if error is None:
        outcome = "committed"
        if landed != 1 or not whole:
            problems.append(f"reported success, but {landed} commit(s) landed, content whole: {whole}")
    elif after == before:
        outcome = "clean failure"
    elif landed == 1 and whole:
        outcome = "committed after the client gave up"
    else:
        outcome = "PARTIAL"
        problems.append(f"failed run changed the Hub: {landed} commit(s), content whole: {whole}")
    if outcome not in fault.expect:
        problems.append(f"outcome {outcome!r}, expected {' or '.join(fault.expect)}")
    if error is not None and "Next:" not in str(error):
        problems.append(f"the error does not say what to do next: {error}")

    # Re-run with the fault gone: converges to exactly one commit with the intended content.
    with client_backoff_recorded([]):
        run(checkout, sleep=lambda s: None)
    final = HubState.of(sandbox)
    lost = sum(1 for p, data in intended.items() if final.files.get(p) != data)
    lost += sum(1 for p in final.files if p not in intended and p != ".gitattributes")
    duplicated = max(0, final.commits - before.commits - 1)
    if final.commits - before.commits != 1:
        problems.append(f"after the re-run {final.commits - before.commits} commit(s) landed, not 1")
    return Outcome(
        fault.name,
        lane,
        attempts,
        outcome,
        lost,
        duplicated,
        seconds,
        sum(waits),
        rule.hits,
        error=str(error or ""),
        ok=not problems and lost == 0,
        problems=problems,
    )


# hf_xet (Rust) retries a failing xet token request on its own, ~1.5-3.5 minutes per upload with its
# defaults; these cap that, for runs in a fresh process (hf_xet reads them once per process).
XET_FAST_FAIL = {"HF_XET_CLIENT_RETRY_MAX_ATTEMPTS": "2", "HF_XET_CLIENT_RETRY_MAX_DURATION": "2s"}


def cli_publisher(sandbox, token: str = "alice-fg-org", env: dict[str, str] | None = None) -> Callable[..., Any]:
    """`hf-publish publish` in a subprocess (its own hf_xet and HTTP client), as CI runs it. Exit 4
    raises HubError with the stderr text; exit 0 returns the parsed --format json report."""
    import json
    import os
    import subprocess

    from hf_publish.errors import HubError

    def run(checkout, sleep: Callable[[float], None] | None = None) -> dict:
        full_env = {**os.environ, "HF_TOKEN": sandbox.tokens[token], **(env or {})}
        proc = subprocess.run(
            ["hf-publish", "publish", "--path", str(checkout.path), "--endpoint", sandbox.endpoint, "--format", "json"],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode == 4:
            raise HubError(proc.stderr.strip())
        assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}"
        assert "Traceback" not in proc.stderr
        return json.loads(proc.stdout)

    return run


def _mirrors(state: HubState, intended: dict[str, bytes]) -> bool:
    files = {p: b for p, b in state.files.items() if p != ".gitattributes" or ".gitattributes" in intended}
    return files == intended


def pending_change(checkout, seed: int) -> None:
    """A local change touching a regular file and the LFS weights (so both upload kinds run)."""
    from tests.publish.helpers import weights

    checkout.write("config.json", '{"version": %d}\n' % seed)
    checkout.write("model.safetensors", weights(8192, seed=seed))
    checkout.commit(f"v{seed}")


__all__ = [
    "PERSISTENT",
    "REPO",
    "TRANSIENT",
    "XET_FAST_FAIL",
    "Fault",
    "Outcome",
    "cli_publisher",
    "client_backoff_recorded",
    "client_timeout",
    "exercise",
    "pending_change",
    "route",
]
