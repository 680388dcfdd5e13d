"""Cold install time of the action's package into a fresh venv: the setup cost every Action run pays.

action.yml builds a private venv under $RUNNER_TEMP and installs the action's own checkout into it.
This measures the ways it could, each into a brand-new venv with an empty package cache (a GitHub
runner starts with none), plus the warm-cache case for reference:

  pip          python -m venv + pip install <action path>              (always available)
  uv           uv venv + uv pip install <action path>                   (when uv is on PATH)
  pip+uv       python -m venv + pip install uv + uv pip install         (uv not on PATH)

Run: python benchmarks/action_setup.py [--repeat 3] [--python PATH] [--source DIR]
Prints a table of median seconds. Needs the package index (PyPI) like the Action does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")


def _source_copy(source: Path, into: Path) -> Path:
    """What the runner has at $GITHUB_ACTION_PATH: the source, without build leftovers."""
    target = into / "action"
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns(".git", "*.egg-info", "build", "__pycache__", "tests", "benchmarks", ".venv*"),
    )
    return target


def install(method: str, python: str, source: Path, work: Path, cache: Path) -> float:
    """Seconds to create a venv in `work` and install `source` into it, with package caches in `cache`."""
    env = dict(os.environ)
    env["PIP_CACHE_DIR"] = str(cache / "pip")
    env["UV_CACHE_DIR"] = str(cache / "uv")
    env["UV_PYTHON_DOWNLOADS"] = "never"
    venv = work / "venv"
    vpy = str(venv / "bin" / "python")
    uv = shutil.which("uv") or "uv"
    start = time.perf_counter()
    if method == "pip":
        _run([python, "-m", "venv", str(venv)], env)
        _run([vpy, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)], env)
    elif method == "uv":
        _run([uv, "venv", "--quiet", "--python", python, str(venv)], env)
        _run([uv, "pip", "install", "--quiet", "--python", vpy, str(source)], env)
    elif method == "pip+uv":
        _run([python, "-m", "venv", str(venv)], env)
        _run([vpy, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv"], env)
        _run([str(venv / "bin" / "uv"), "pip", "install", "--quiet", "--python", vpy, str(source)], env)
    else:
        raise ValueError(method)
    _run([vpy, "-m", "hf_publish", "--version"], env)  # the install is usable
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python", default=sys.executable, help="interpreter to build the venvs from")
    parser.add_argument("--source", type=Path, default=ROOT, help="the action's checkout (default: this repo)")
    args = parser.parse_args(argv)
    methods = ["pip", "pip+uv"] + (["uv"] if shutil.which("uv") else [])
    rows = []
    with tempfile.TemporaryDirectory(prefix="hf-publish-bench-") as tmp:
        source = _source_copy(args.source, Path(tmp))
        for method in methods:
            for cache_kind in ("cold", "warm"):
                warm_cache = Path(tmp) / f"warm-{method}"
                if cache_kind == "warm":  # prime a shared cache once, not timed
                    install(method, args.python, source, Path(tempfile.mkdtemp(dir=tmp)), warm_cache)
                times = []
                for _ in range(args.repeat):
                    work = Path(tempfile.mkdtemp(dir=tmp))
                    cache = warm_cache if cache_kind == "warm" else work / "cache"
                    times.append(install(method, args.python, source, work, cache))
                    shutil.rmtree(work, ignore_errors=True)
                rows.append((method, cache_kind, statistics.median(times), min(times), max(times)))
                print(f"  {method:7} {cache_kind}: {', '.join(f'{t:.2f}' for t in times)} s", file=sys.stderr)
    base = next(r[2] for r in rows if r[0] == "pip" and r[1] == "cold")
    print(
        f"\ncold/warm install of hf-publish into a fresh venv (median of {args.repeat}, Python "
        f"{subprocess.run([args.python, '-c', 'import sys;print(sys.version.split()[0])'], capture_output=True, text=True).stdout.strip()})\n"
    )
    print(f"| {'method':8} | {'cache':5} | {'median s':>8} | {'min s':>6} | {'max s':>6} | {'vs pip cold':>11} |")
    print(f"|{'-' * 10}|{'-' * 7}|{'-' * 10}|{'-' * 8}|{'-' * 8}|{'-' * 13}|")
    for method, cache, median, low, high in rows:
        print(f"| {method:8} | {cache:5} | {median:8.2f} | {low:6.2f} | {high:6.2f} | {base / median:10.1f}x |")
    print("\naction.yml uses uv when it is on PATH, else pip (set HF_PUBLISH_INSTALLER=pip to force pip).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
