"""`hf-publish publish` beside `HfApi.upload_folder`, on the same folder and the same sandbox.

For each weights size (default 100 MB, 1 GB, 4 GB of random bytes in one LFS-tracked
model.safetensors, beside the example's card and config), in a real git + git-lfs checkout:

  first publish         a new repo: create it and upload everything
  no-change re-publish  the same folder again: nothing to upload
  one-file change       config.json edited and committed: one small file to upload (hf-publish
                        looks up its base, the last publish, in the Hub history and in git)

each measured for hf-publish (`hf_publish.publishing.run.publish`) and for `HfApi.upload_folder`
(preceded by `create_repo` on the first run, as a publish does), each tool on its own fresh
sandbox so xet deduplication cannot favour the second, `--repeat` times with the order
alternating and dirty pages flushed before each run; the median run is shown. Every measurement
runs in its own process: wall time of the call (imports excluded), peak RSS of that process, and
the bytes it read (`rchar` from /proc/self/io: page-cache hits included).

Targets (issue 4): first publish of 1 GB within 1.2x of upload_folder; the no-change re-publish
reads no weights bytes, so it stays under 1 s from 100 MB to 4 GB; peak memory flat as weights grow.

Run: python benchmarks/publish.py [--sizes 100MB,1GB,4GB] [--lane xet|lfs] [--repeat 3] [--work DIR]
Disk: about 4x the largest size (weights, git-lfs's copy, two sandboxes' stores), freed per size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "acme-models"
REPO = "acme-ai/bert-korean-sentiment-v2"
TOKEN = "alice-fg-org"
UNITS = {"MB": 10**6, "GB": 10**9}
STEPS = ("first", "again", "changed")


# --- the measured side (a fresh process per measurement) ------------------------------------------


def _rchar() -> int:
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker(tool: str, endpoint: str, token: str, folder: str, first: bool) -> dict:
    from huggingface_hub import HfApi
    from huggingface_hub.utils import disable_progress_bars

    from hf_publish.publishing.hub import make_api
    from hf_publish.publishing.run import publish

    disable_progress_bars()
    read_before, start = _rchar(), time.perf_counter()
    extra: dict = {}
    if tool == "hf-publish":
        report = publish(folder, api=make_api(endpoint, token), log=lambda line: None, env={})
        result = report.results[0]
        extra = {"changed": result.changed, "hashed_bytes": result.plan.hashed_bytes}
    else:
        api = HfApi(endpoint=endpoint, token=token)
        if first:
            api.create_repo(REPO, private=True, exist_ok=True)
        info = api.upload_folder(
            repo_id=REPO, folder_path=folder, ignore_patterns=[".hf-publish.yaml"], commit_message="upload_folder"
        )
        extra = {"commit": info.oid}
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "read_bytes": _rchar() - read_before,
        **extra,
    }


# --- the driver ------------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    text = text.strip().upper()
    for unit, factor in UNITS.items():
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(size) < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit in ("B", "kB") else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def make_checkout(path: Path, size: int) -> float:
    """The example with `size` bytes of random weights, committed through git-lfs. Returns seconds."""
    start = time.perf_counter()
    shutil.copytree(EXAMPLE, path)
    with open(path / "model.safetensors", "wb") as handle:
        left = size
        while left:
            chunk = os.urandom(min(left, 64 << 20))
            handle.write(chunk)
            left -= len(chunk)
    git(path, "init", "-q", "-b", "main")
    git(path, "lfs", "install", "--local")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "weights")
    return time.perf_counter() - start


def measure(tool: str, sandbox, folder: Path, first: bool, env: dict) -> dict:
    args = [
        sys.executable,
        __file__,
        "--worker",
        tool,
        sandbox.endpoint,
        sandbox.tokens[TOKEN],
        str(folder),
        "first" if first else "again",
    ]
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{tool} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _median(runs: list[dict]) -> dict:
    """The run with the median time (its RSS and bytes read come with it)."""
    return sorted(runs, key=lambda m: m["seconds"])[len(runs) // 2]


def run(sizes: list[int], lane: str, work: Path, repeat: int) -> list[dict]:
    from hf_publish.sandbox import Sandbox

    env = {
        **os.environ,
        "HF_HOME": str(work / "hf-home"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    }
    env.pop("HF_TOKEN", None)
    if lane == "lfs":
        env["HF_HUB_DISABLE_XET"] = "1"
    else:
        env.pop("HF_HUB_DISABLE_XET", None)
    rows = []
    tools = ("upload_folder", "hf-publish")
    for size in sizes:
        case = work / f"w{size}"
        case.mkdir()
        setup = make_checkout(case / "checkout", size)
        runs: dict[str, dict[str, list[dict]]] = {tool: {step: [] for step in STEPS} for tool in tools}
        checkout = case / "checkout"
        for attempt in range(repeat):
            for tool in tools if attempt % 2 == 0 else tools[::-1]:  # alternate who goes first
                store = case / f"hub-{tool}-{attempt}"
                with Sandbox(data_dir=store) as sandbox:  # fresh: no xet dedup against an earlier run
                    os.sync()  # the previous run's writeback must not slow this one
                    runs[tool]["first"].append(measure(tool, sandbox, checkout, True, env))
                    runs[tool]["again"].append(measure(tool, sandbox, checkout, False, env))
                    (checkout / "config.json").write_text('{"model_type": "bert", "benchmark": %d}\n' % attempt)
                    git(checkout, "commit", "-q", "-am", "one-file change")
                    runs[tool]["changed"].append(measure(tool, sandbox, checkout, False, env))
                    git(checkout, "reset", "-q", "--hard", "HEAD~1")  # the next tool starts from the same tree
                shutil.rmtree(store, ignore_errors=True)
        row = {
            "size": size,
            "setup_s": setup,
            "repeat": repeat,
            **{tool: {step: _median(runs[tool][step]) for step in STEPS} for tool in tools},
            "all": runs,
        }
        rows.append(row)
        print(f"  {human(size)} done (checkout {setup:.1f} s)", file=sys.stderr, flush=True)
        shutil.rmtree(case, ignore_errors=True)
    return rows


def table(rows: list[dict], lane: str) -> str:
    out = [
        f"hf-publish publish vs HfApi.upload_folder: sandbox on 127.0.0.1, {lane} lane, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; median of {rows[0]['repeat'] if rows else 0} "
        "runs, each tool on a fresh sandbox, order alternating",
        "",
        "| weights | step | hf-publish | upload_folder | ratio |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        for step, label in zip(STEPS, ("first publish", "no-change re-publish", "one-file change")):
            ours, theirs = row["hf-publish"][step], row["upload_folder"][step]
            cell = lambda m: f"{m['seconds']:.2f} s, RSS {m['rss_mb']:.0f} MB, read {human(m['read_bytes'])}"
            out.append(
                f"| {human(row['size'])} | {label} | {cell(ours)} | {cell(theirs)} | "
                f"{ours['seconds'] / theirs['seconds']:.2f}x |"
            )
    out.append("")
    by_size = {row["size"]: row for row in rows}
    gb = by_size.get(10**9)
    if gb:
        ratio = gb["hf-publish"]["first"]["seconds"] / gb["upload_folder"]["first"]["seconds"]
        out.append(
            f"- first publish of 1 GB: {ratio:.2f}x upload_folder (target <= 1.2x): "
            f"{'PASS' if ratio <= 1.2 else 'FAIL'}"
        )
    noop = [row["hf-publish"]["again"]["seconds"] for row in rows]
    theirs_noop = ", ".join(f"{row['upload_folder']['again']['seconds']:.2f} s" for row in rows)
    out.append(
        f"- no-change re-publish: {', '.join(f'{s:.2f} s' for s in noop)} for "
        f"{', '.join(human(r['size']) for r in rows)} (target < 1 s, flat): "
        f"{'PASS' if max(noop) < 1 else 'FAIL'}; weights bytes hashed: "
        f"{', '.join(str(r['hf-publish']['again']['hashed_bytes']) for r in rows)}; "
        f"upload_folder: {theirs_noop}"
    )
    out.append(
        "- one-file change: "
        + "; ".join(
            f"{human(r['size'])}: {r['hf-publish']['changed']['seconds']:.2f} s (bytes hashed: "
            f"{r['hf-publish']['changed']['hashed_bytes']}) vs upload_folder {r['upload_folder']['changed']['seconds']:.2f} s"
            for r in rows
        )
    )
    for size in (10**9, 4 * 10**9):
        if size in by_size:
            row = by_size[size]
            out.append(
                f"- peak RSS at {human(size)}: hf-publish first {row['hf-publish']['first']['rss_mb']:.0f} MB "
                f"/ again {row['hf-publish']['again']['rss_mb']:.0f} MB; upload_folder first "
                f"{row['upload_folder']['first']['rss_mb']:.0f} MB / again "
                f"{row['upload_folder']['again']['rss_mb']:.0f} MB"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        tool, endpoint, token, folder, first = argv[1:6]
        print(json.dumps(worker(tool, endpoint, token, folder, first == "first")))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100MB,1GB,4GB", help="weights sizes, e.g. 100MB,1GB,4GB")
    parser.add_argument("--lane", choices=("xet", "lfs"), default="xet", help="upload lane (default: xet)")
    parser.add_argument("--work", help="scratch folder (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool and size; the median is shown (default 3)")
    parser.add_argument("--json", action="store_true", help="also print the raw measurements as JSON")
    args = parser.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="hf-publish-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows = run([parse_size(s) for s in args.sizes.split(",")], args.lane, work, max(1, args.repeat))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(table(rows, args.lane))
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
