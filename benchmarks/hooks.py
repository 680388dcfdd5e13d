"""Benchmark: each hook's entry on a 5-file commit, side by side with pre-commit-hooks'
check-added-large-files on the same files, in one run.

A hook runs once per commit, as its own process, so what a user waits for is process start +
imports + the check. The reference is the cheapest hook most repos already run. Target: each
hf-publish hook within 1.2x of it; a miss is marked. The staged commit: a model card, config.json,
a safetensors LFS pointer, .gitattributes and the policy file, in a real git repo with git-lfs.

Both commands run as pre-commit runs them: each hook's entry from .pre-commit-hooks.yaml with the
staged files its `files` pattern selects (none where `pass_filenames: false`), the reference with
all five; with PRE_COMMIT=1 in the environment, and from
byte-compiled modules (pip compiles what it installs; an editable install is compiled here
first, and PYTHONDONTWRITEBYTECODE is dropped so nothing is compiled again on each run).

Usage: python benchmarks/hooks.py [--runs N]    (needs the package and pre-commit-hooks installed)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from hf_publish.policy.model import DEFAULT_LFS_PATTERNS  # the Hub's default .gitattributes

TARGET = 1.2
HOOKS = ("config", "repo-name", "branch-name", "model-card", "lfs", "secrets", "members")
CARD = """---
license: apache-2.0
language: [en]
pipeline_tag: text-classification
---
# bert-sentiment-v1

## Overview
A sentiment classifier.

## Usage
`pipeline("text-classification", model="acme/bert-sentiment-v1")`

## Performance
Accuracy 0.91 on the held-out set.

## License
Apache-2.0

## Contact
ml-platform@acme.example
"""
POLICY = """organization: acme
repos:
  - name: bert-sentiment-v1
    path: model
"""
POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 438000000\n".format("ab" * 32)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def build_commit(repo: Path) -> list[str]:
    git(repo, "init", "-q", "-b", "feature/bench")
    (repo / "model").mkdir()
    files = {
        ".hf-publish.yaml": POLICY,
        ".gitattributes": "".join(
            f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in (*DEFAULT_LFS_PATTERNS, "model/saved_model/**/*")
        ),
        "model/README.md": CARD,
        "model/config.json": '{"architectures": ["BertForSequenceClassification"], "hidden_size": 768}\n',
        "model/model.safetensors": POINTER,
    }
    for name, text in files.items():
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "--", *files)
    return list(files)


MANIFEST = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"


def hook_command(hook: str, files: list[str]) -> list[str]:
    """The command pre-commit runs for `hook` on these staged files (its entry, then the files it selects)."""
    import re
    import shlex

    import yaml

    (spec,) = [h for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8")) if h["id"] == hook]
    command = shlex.split(spec["entry"]) + list(spec.get("args", []))
    if not spec.get("pass_filenames", True):
        return command
    pattern = spec.get("files", "")
    return command + [f for f in files if re.search(pattern, f)]


def compile_package() -> None:
    """Byte-compile the installed hf_publish (a no-op for a pip install, which compiled it)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("hf_publish")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            compileall.compile_dir(location, quiet=1)


def paired(
    command: list[str], reference: list[str], repo: Path, runs: int, env: dict[str, str]
) -> tuple[float, float, int]:
    """Medians (ms) of `command` and `reference`, run alternately; and the command's last exit code."""
    samples: dict[int, list[float]] = {0: [], 1: []}
    code = 0
    for _ in range(runs):
        for side, argv in enumerate((command, reference)):
            started = time.perf_counter()
            result = subprocess.run(argv, cwd=repo, env=env, capture_output=True)
            samples[side].append(time.perf_counter() - started)
            if side == 0:
                code = result.returncode
    return statistics.median(samples[0]) * 1000, statistics.median(samples[1]) * 1000, code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="runs per command (the median is shown)")
    args = parser.parse_args(argv)
    entry = shutil.which("hf-publish")
    reference = shutil.which("check-added-large-files")
    if not entry or not reference:
        parser.error("needs hf-publish and check-added-large-files on PATH (pip install -e '.[test]')")
    with tempfile.TemporaryDirectory(prefix="hf-publish-bench-") as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        files = build_commit(repo)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache"), "PRE_COMMIT": "1"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        compile_package()
        commands = {hook: [entry, *hook_command(hook, files)[1:]] for hook in HOOKS}
        for command in commands.values():  # warm the caches a hook keeps (policy, cards), as a second commit finds them
            subprocess.run(command, cwd=repo, env=env, capture_output=True)
        print(f"{len(files)} staged files, median of {args.runs} runs each, {os.cpu_count()} CPUs")
        print("(each hook is timed alternately with the reference, so load on the machine hits both)\n")
        print(f"{'hook':14s} {'hf-publish':>11s} {'check-added-large-files':>24s} {'ratio':>6s}")
        misses = 0
        for hook in HOOKS:
            ms, base, code = paired(commands[hook], [reference, *files], repo, args.runs, env)
            ratio = ms / base
            miss = ratio > TARGET
            misses += miss
            mark = f"  MISS (target <= {TARGET}x)" if miss else ""
            print(f"{hook:14s} {ms:9.1f}ms {base:22.1f}ms {ratio:5.2f}x{mark}" + (f"  exit {code}" if code else ""))
    print(f"\n{misses} of {len(HOOKS)} hooks miss the {TARGET}x target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
