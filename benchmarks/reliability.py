"""Reliability and security figures: faults, races, hostile input and the soak, in one table.

    PYTHONPATH=src python benchmarks/reliability.py [--lanes xet,lfs] [--soak-cycles 200] [--quick]
                                                    [--uncapped-xet]

Everything runs against the in-process Hub sandbox with the real huggingface_hub client (and, for
some rows, the real `hf-publish` CLI in a subprocess). Columns:

  scenario   what was injected or fed in (lane in brackets)
  attempts   commit requests the run sent (faults, races), publish runs (soak), CLI runs (input)
  outcome    committed | clean failure | committed after the client gave up | exit N | ...
  data lost  intended changes missing after the re-run, plus anything written that should not
             have been (partial commits, duplicates, writes on refused input): must be 0
  time       wall time of the faulted run; "+N s backoff" is what the client and publish would have
             slept on top (recorded, not slept, so a persistent fault takes seconds, not minutes)

`--uncapped-xet` adds one row with hf_xet's default retry policy on a failing xet token endpoint
(several minutes per upload attempt: see the README).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

_WORK = Path(tempfile.mkdtemp(prefix="hf-publish-reliability-"))
os.environ.update(
    HF_HOME=str(_WORK / "hf_home"),
    HF_HUB_DISABLE_TELEMETRY="1",
    HF_HUB_DISABLE_UPDATE_CHECK="1",
    HF_HUB_DISABLE_PROGRESS_BARS="1",
)
for _var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HF_OIDC_RESOURCE", "HF_HUB_DISABLE_XET"):
    os.environ.pop(_var, None)

ROWS: list[tuple[str, str, str, str, str]] = []


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def row(scenario: str, attempts, outcome: str, lost: int, seconds: float, waits: float = 0.0) -> None:
    shown = f"{seconds:.2f} s" + (f" (+{waits:.0f} s backoff)" if waits >= 0.5 else "")
    ROWS.append((scenario, str(attempts), outcome, str(lost), shown))
    note(f"  {scenario}: {outcome}, lost {lost}, {shown}")


@contextlib.contextmanager
def lane(name: str):
    from huggingface_hub import constants
    from huggingface_hub.utils import _xet

    constants.HF_HUB_DISABLE_XET = name == "lfs"
    if name == "lfs":
        os.environ["HF_HUB_DISABLE_XET"] = "1"
    else:
        os.environ.pop("HF_HUB_DISABLE_XET", None)
    _xet.XET_CONNECTION_INFO_CACHE.clear()
    yield


@contextlib.contextmanager
def hub():
    from huggingface_hub.utils import _xet

    from hf_publish.sandbox import Sandbox

    data = Path(tempfile.mkdtemp(dir=_WORK, prefix="hub-"))
    sandbox = Sandbox(data_dir=data / "data", cas_dir=data / "cas").start()
    os.environ["HF_ENDPOINT"] = sandbox.endpoint
    _xet.XET_CONNECTION_INFO_CACHE.clear()
    try:
        yield sandbox
    finally:
        sandbox.stop()
        shutil.rmtree(data, ignore_errors=True)


def fresh_checkout():
    from tests.publish.helpers import make_checkout

    return make_checkout(Path(tempfile.mkdtemp(dir=_WORK, prefix="checkout-")) / "work")


# --- faults -----------------------------------------------------------------------------------------


def faults(lanes: list[str], quick: bool) -> None:
    from tests.reliability.helpers import Publisher
    from tests.reliability.scenarios import (
        PERSISTENT,
        TRANSIENT,
        XET_FAST_FAIL,
        cli_publisher,
        exercise,
        pending_change,
    )

    chosen = TRANSIENT + PERSISTENT
    if quick:
        chosen = [
            f
            for f in chosen
            if f.name
            in (
                "commit-503",
                "upload-dropped",
                "server-dies-mid-commit",
                "slow-commit",
                "commit-500-persistent",
                "server-down-after-commit",
            )
        ]
    for lane_name in lanes:
        with lane(lane_name):
            for fault in chosen:
                with hub() as sandbox:
                    checkout = fresh_checkout()
                    publisher = Publisher(sandbox)
                    run = functools.partial(publisher.run, log=lambda line: None)
                    run(checkout)
                    pending_change(checkout, seed=2)
                    if fault.route == "upload" and lane_name == "xet" and fault.persistent:
                        run = cli_publisher(sandbox, env=XET_FAST_FAIL)
                    out = exercise(sandbox, run, checkout, lane_name, fault)
                    outcome = out.outcome if out.ok else f"VIOLATION: {'; '.join(out.problems)}"
                    row(
                        f"{fault.name} [{lane_name}]",
                        out.attempts,
                        outcome,
                        out.lost + out.duplicated,
                        out.seconds,
                        out.waits,
                    )


def uncapped_xet() -> None:
    """hf_xet's own retries on a failing xet token endpoint, defaults untouched (one upload)."""
    from huggingface_hub import HfApi

    with lane("xet"), hub() as sandbox:
        api = HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens["alice-write"])
        api.create_repo("acme-ai/bert-korean-sentiment-v2")
        sandbox.inject(method="GET", path=r"/xet-write-token/", status=500, times=None)
        started = time.perf_counter()
        try:
            api.upload_file(
                path_or_fileobj=b"\0" * 5000, path_in_repo="model.bin", repo_id="acme-ai/bert-korean-sentiment-v2"
            )
            outcome = "committed"
        except Exception as exc:  # what a publish attempt would see
            outcome = f"failed ({type(exc).__name__}) after hf_xet's own retries"
        tries = len([r for r in sandbox.requests if "xet-write-token" in r.path])
        row(
            "xet token endpoint down, hf_xet defaults, 1 upload [xet]", tries, outcome, 0, time.perf_counter() - started
        )


# --- bounded waits ------------------------------------------------------------------------------------

WAIT_CAP = 30.0  # how long the unbounded alternative is watched before the row says "still waiting"


def bounded_waits(lanes: list[str]) -> None:
    """A preupload that never answers, and one that answers 503 for ever: hf-publish with a 1 s
    timeout and a 5 s retry budget, real sleeps, beside `HfApi.upload_folder` on the same fault."""
    import threading

    from huggingface_hub import HfApi
    from tests.reliability.helpers import HubState, Publisher
    from tests.reliability.scenarios import pending_change, route

    from hf_publish.errors import HubError

    for lane_name in lanes:
        for fault, spec in (("never answers", {"hang": True}), ("503 for the whole run", {"status": 503})):
            with lane(lane_name), hub() as sandbox:
                checkout = fresh_checkout()
                publisher = Publisher(sandbox)
                publisher.run(checkout, log=lambda line: None)
                pending_change(checkout, seed=2)
                before = HubState.of(sandbox)
                method, path = route("preupload", lane_name)
                rule = sandbox.inject(method=method, path=path, times=None, **spec)
                started = time.perf_counter()
                try:
                    publisher.run(checkout, real_sleep=True, timeout=1, retry_budget=5, log=lambda line: None)
                    outcome = "VIOLATION: reported success"
                except HubError as exc:
                    outcome = "clean failure, exit 4" + (" naming the endpoint" if "/preupload/" in str(exc) else "")
                seconds = time.perf_counter() - started
                sandbox.clear_faults()
                lost = 0 if HubState.of(sandbox) == before else 1
                row(
                    f"preupload {fault}: publish --timeout 1 --retry-budget 5 [{lane_name}]",
                    rule.hits,
                    outcome,
                    lost,
                    seconds,
                )

                rule = sandbox.inject(method=method, path=path, times=None, **spec)
                api = HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens["alice-fg-org"])
                done: dict = {}

                def upload() -> None:
                    try:
                        api.upload_folder(
                            folder_path=str(checkout.path),
                            repo_id="acme-ai/bert-korean-sentiment-v2",
                            ignore_patterns=[".git/*", ".hf-publish.yaml"],
                        )
                        done["outcome"] = "committed"
                    except Exception as exc:  # what the caller would see
                        done["outcome"] = f"failed ({type(exc).__name__})"
                    done["seconds"] = time.perf_counter() - started

                started = time.perf_counter()
                worker = threading.Thread(target=upload, daemon=True)
                worker.start()
                worker.join(WAIT_CAP)
                hits = rule.hits
                if worker.is_alive():
                    outcome, seconds = f"still waiting after {WAIT_CAP:.0f} s (no timeout, no budget)", WAIT_CAP
                else:
                    outcome, seconds = done["outcome"], done["seconds"]
                row(f"preupload {fault}: HfApi.upload_folder [{lane_name}]", hits, outcome, 0, seconds)
                sandbox.clear_faults()
            worker.join(10)  # the sandbox stopped: the hung request is cut


# --- races --------------------------------------------------------------------------------------------


def races(lanes: list[str]) -> None:
    from tests.reliability.helpers import HubState, Publisher, changes_per_commit
    from tests.reliability.test_races import N, clones_with_own_changes, run_all

    for lane_name in lanes:
        for start in ("same-head", "staggered"):
            with lane(lane_name), hub() as sandbox:
                origin = fresh_checkout()
                for i in range(N):
                    origin.write(f"parts/part-{i}.txt", f"part {i}, first version\n")
                origin.commit("parts")
                publisher = Publisher(sandbox)
                publisher.run(origin, log=lambda line: None)
                clones = clones_with_own_changes(origin, origin.path.parent)
                before = HubState.of(sandbox)
                sandbox.clear_log()
                if start == "same-head":
                    sandbox.inject(method="POST", path=r"/commit/", hold=N, times=N)
                started = time.perf_counter()
                results, errors = run_all(
                    publisher, clones, stagger=0.0 if start == "same-head" else 0.08, log=lambda line: None
                )
                seconds = time.perf_counter() - started
                after = HubState.of(sandbox)
                expected = {f"parts/part-{i}.txt": f"part {i}, changed by publisher {i}\n".encode() for i in range(N)}
                expected |= {f"new/file-{i}.txt": f"added by publisher {i}\n".encode() for i in range(N)}
                lost = sum(1 for p, b in expected.items() if after.files.get(p) != b)
                per_commit = changes_per_commit(sandbox)[-N:]
                duplicated = max(0, after.commits - before.commits - N) + sum(1 for c in per_commit if len(c) != 2)
                attempts = len([r for r in sandbox.requests if "/commit/" in r.path])
                outcome = f"{len(results)}/{N} landed, each in one commit" + (
                    f"; {len(errors)} failed" if errors else ""
                )
                row(f"{N} publishers at once, {start} [{lane_name}]", attempts, outcome, lost + duplicated, seconds)

    with lane(lanes[0]), hub() as sandbox:
        from tests.reliability.helpers import clone

        from hf_publish.errors import HubError

        origin = fresh_checkout()
        publisher = Publisher(sandbox)
        publisher.run(origin, log=lambda line: None)
        first, second = clone(origin, origin.path.parent / "first"), clone(origin, origin.path.parent / "second")
        first.write("config.json", '{"release": "first"}\n')
        first.commit("first")
        second.write("config.json", '{"release": "second"}\n')
        second.commit("second")
        sandbox.inject(method="POST", path=r"/commit/", hold=2, times=2)
        started = time.perf_counter()
        results, errors = run_all(publisher, [first, second], tag="v1.0.0", log=lambda line: None)
        seconds = time.perf_counter() - started
        tags = {
            t.name: t.target_commit for t in publisher.api().list_repo_refs("acme-ai/bert-korean-sentiment-v2").tags
        }
        winner = next(iter(results.values()), None)
        clear = all(isinstance(e, HubError) and "immutable" in str(e) for e in errors.values())
        ok = len(results) == 1 and len(errors) == 1 and winner and tags == {"v1.0.0": winner.commit_sha} and clear
        row(
            f"2 releases of one tag at once [{lanes[0]}]",
            2,
            "1 tagged, 1 refused (tags are immutable)" if ok else f"VIOLATION: {results} {errors} {tags}",
            0 if ok else 1,
            seconds,
        )


# --- hostile input -----------------------------------------------------------------------------------


def hostile_input() -> None:
    from tests.reliability.helpers import write_requests
    from tests.reliability.test_hostile_input import DEEP, LAUGHS, _card

    from hf_publish.cli import main

    def policy(text: str):
        def setup(checkout, sandbox):
            (checkout.path / ".hf-publish.yaml").write_text(text)

        return setup

    def card(case: str):
        return lambda checkout, sandbox: _card(checkout, case)

    def symlinks(checkout, sandbox):
        os.symlink("/etc/hostname", checkout.path / "hostname")
        os.symlink("/etc", checkout.path / "etc")

    def token(value: str):
        def setup(checkout, sandbox):
            os.environ["HF_TOKEN"] = sandbox.tokens.get(value, value)

        return setup

    cases = [
        ("policy: billion laughs", policy(LAUGHS)),
        ("policy: 50,000 nested [", policy(DEEP)),
        (
            "policy: path ../../etc",
            policy("organization: acme-ai\nrepos:\n  - name: bert-korean-sentiment-v2\n    path: ../../etc\n"),
        ),
        ("card: billion laughs", card("billion-laughs")),
        ("card: 50,000 nested [", card("nested-too-deep")),
        ("card: 20 MB README", card("20MB")),
        ("card: cp949 (not UTF-8)", card("not-utf8")),
        ("card: binary README", card("binary")),
        ("symlinks to /etc in the repo", symlinks),
        ("token: malformed", token("hf_short")),
        ("token: non-ASCII", token("hf_tökén")),
        ("token: expired", token("expired")),
        ("token: revoked by the org", token("alice-revoked")),
    ]
    import contextlib as _contextlib
    import io as _io

    for name, setup in cases:
        with lane("xet"), hub() as sandbox:
            checkout = fresh_checkout()
            os.environ["HF_TOKEN"] = sandbox.tokens["alice-fg-org"]
            setup(checkout, sandbox)
            out, err = _io.StringIO(), _io.StringIO()
            cwd = os.getcwd()
            os.chdir(checkout.path)
            started = time.perf_counter()
            try:
                with _contextlib.redirect_stdout(out), _contextlib.redirect_stderr(err):
                    code = main(["publish", "--endpoint", sandbox.endpoint])
            finally:
                os.chdir(cwd)
            seconds = time.perf_counter() - started
            text = out.getvalue() + err.getvalue()
            bad = "Traceback" in text or "unexpected error" in text
            if name.startswith("symlinks"):
                files = (
                    sandbox.list_files("acme-ai/bert-korean-sentiment-v2")
                    if sandbox.head("acme-ai/bert-korean-sentiment-v2")
                    else {}
                )
                written = sum(1 for p in files if p == "hostname" or p.startswith("etc/"))
                outcome = f"exit {code}: published without following the links"
            else:
                written = len(write_requests(sandbox))
                finding = next((line.split("] ", 1)[1] for line in out.getvalue().splitlines() if "] " in line), "")
                error = next((line for line in err.getvalue().splitlines() if line.startswith("hf-publish: error")), "")
                said = finding or error.replace("hf-publish: error: ", "")
                outcome = f"exit {code}: " + (said[:72] + ("..." if len(said) > 72 else ""))
            if bad:
                outcome = "VIOLATION: " + outcome
            row(name, 1, outcome, written, seconds)
    os.environ.pop("HF_TOKEN", None)


# --- the soak -----------------------------------------------------------------------------------------


def soak_rows(lanes: list[str], cycles: int) -> None:
    from tests.reliability.helpers import Publisher
    from tests.reliability.soak import soak

    for lane_name in lanes:
        with lane(lane_name), hub() as sandbox:
            checkout = fresh_checkout()
            run = functools.partial(Publisher(sandbox).run, log=lambda line: None)
            result = soak(
                sandbox,
                checkout,
                run,
                cycles=cycles,
                rate=0.05,
                seed=2024,
                cache=Path(tempfile.mkdtemp(dir=_WORK)),
                progress=lambda c, r: note(f"    soak [{lane_name}] {c}/{cycles}") if c % 50 == 0 else None,
            )
            first = result.rss_mb[0][1]
            warm = [mb for c, mb in result.rss_mb if c >= cycles // 4][0]
            peak = max(mb for _, mb in result.rss_mb)
            outcome = (
                f"{result.commits}/{cycles} changes, {result.faults_hit} faults in {result.requests} requests, "
                f"{result.failed_runs} runs re-run; RSS {first:.0f} -> {result.rss_mb[-1][1]:.0f} MB "
                f"(+{result.rss_mb[-1][1] - warm:.1f} after warm-up, peak {peak:.0f})"
            )
            row(
                f"soak: {cycles} cycles, 5% faults, seed 2024 [{lane_name}]",
                result.publish_runs,
                outcome,
                result.lost + result.duplicated + result.partial,
                result.seconds,
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lanes", default="xet,lfs", help="upload lanes (default: xet,lfs)")
    parser.add_argument("--soak-cycles", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="a few fault scenarios only")
    parser.add_argument("--uncapped-xet", action="store_true", help="add the (minutes-long) hf_xet default row")
    args = parser.parse_args(argv)
    lanes = [name.strip() for name in args.lanes.split(",") if name.strip()]
    started = time.perf_counter()
    try:
        note("faults ...")
        faults(lanes, args.quick)
        if args.uncapped_xet:
            uncapped_xet()
        note("bounded waits ...")
        bounded_waits(lanes)
        note("races ...")
        races(lanes)
        note("hostile input ...")
        hostile_input()
        note("soak ...")
        soak_rows(lanes, args.soak_cycles)
    finally:
        shutil.rmtree(_WORK, ignore_errors=True)
    headers = ("scenario", "attempts", "outcome", "data lost", "time")
    widths = [max(len(h), *(len(r[i]) for r in ROWS)) for i, h in enumerate(headers)]
    print(
        f"hf-publish reliability: {len(ROWS)} scenarios, {time.perf_counter() - started:.0f} s in all "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)"
    )
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in ROWS:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
    violations = [r for r in ROWS if r[3] != "0" or r[2].startswith("VIOLATION")]
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
