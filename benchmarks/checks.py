"""Benchmark: the commit-time checks on a big repo, beside pre-commit-hooks' check-added-large-files.

Generates (in a temp dir) a git repo of 10,000 files: 9,950 small source/data files and 50 weights
files of 100 MB each (sparse: `truncate`), tracked by LFS as real pointers (the pointer blobs are
written with `git hash-object -w` and staged with `git update-index --index-info`, instead of
running git-lfs clean over 5 GB). Then times, in the same run:

- `hf-publish check --all-files` (every check) and each check alone with `--all-files`,
  targets: under 2 s, and reading no weights file whole;
- the `lfs` and `secrets` hooks on a 5-file commit (entry + file names, as pre-commit runs them),
  targets: under 150 ms including interpreter start, and within 1.2x of pre-commit-hooks'
  `check-added-large-files` on the same 5 files, timed alternately with it in the same run (the
  `vs ref` column: the ratio of the medians; a miss is marked);
- pre-commit-hooks' `check-added-large-files` on the same 5-file commit and with `--enforce-all`
  over the 10,000 files (installed from PyPI here when missing).

Bytes read are the kernel's count (`rchar` in /proc/<pid>/io) for the command and every process it
started (a reaped child's I/O is added to its parent's), so "reads no weights file whole" means
well under 100 MB. Wall times are the median of --runs runs after one warm-up run.

Usage: python benchmarks/checks.py [--runs 7] [--keep]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILES = 10_000
HOOK_RATIO = 1.2  # a hook's median within 1.2x check-added-large-files' median on the same files
WEIGHTS = 50
WEIGHT_SIZE = 100 * 10**6
BIN = Path(sys.executable).parent  # console scripts as a hook venv has them (no pyenv shim)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
CARD = """---
license: apache-2.0
language: [ko]
pipeline_tag: text-classification
---
# bert-korean-sentiment-v2

## Overview
A Korean sentiment classifier fine-tuned from BERT.

## Usage
```python
from transformers import AutoModel
model = AutoModel.from_pretrained("acme-ai/bert-korean-sentiment-v2")
```

## Performance
| dataset | accuracy | F1 |
|---|---|---|
| nsmc | 0.91 | 0.90 |

## License
Apache-2.0.

## Contact
ml-team@acme.example
"""
POLICY = """organization: acme-ai
repos:
  - name: bert-korean-sentiment-v2
    type: model
    path: models/bert
"""


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], input=input, capture_output=True, env={**os.environ, **GIT_ENV}
    )
    if result.returncode != 0:
        raise SystemExit(f"git {args[0]} failed: {result.stderr.decode()}")
    return result.stdout


def pointer_for_zeros(size: int) -> bytes:
    """The LFS pointer of a file of `size` zero bytes (what a sparse `truncate` file holds)."""
    digest, chunk, left = hashlib.sha256(), bytes(1 << 20), size
    while left:
        digest.update(chunk[: min(left, len(chunk))])
        left -= min(left, len(chunk))
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{digest.hexdigest()}\nsize {size}\n".encode()


def stage_weights(repo: Path, paths: list[str], pointer: bytes) -> None:
    for path in paths:
        full = repo / path
        full.parent.mkdir(parents=True, exist_ok=True)
        with full.open("wb") as handle:
            handle.truncate(WEIGHT_SIZE)
    oid = git(repo, "hash-object", "-w", "--stdin", input=pointer).decode().strip()
    git(repo, "update-index", "--add", "--index-info", input="".join(f"100644 {oid}\t{p}\n" for p in paths).encode())


def build_repo(root: Path) -> tuple[Path, list[str]]:
    from hf_publish.policy.model import DEFAULT_LFS_PATTERNS

    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "feature/benchmark")
    git(repo, "lfs", "install", "--local")
    # The Hub's rules, plus the anchored one for the repo folder (what `hf-publish check lfs --fix` adds).
    rules = [*DEFAULT_LFS_PATTERNS, "models/bert/saved_model/**/*"]
    (repo / ".gitattributes").write_text("".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in rules))
    (repo / ".hf-publish.yaml").write_text(POLICY)
    bert = repo / "models" / "bert"
    bert.mkdir(parents=True)
    (bert / "README.md").write_text(CARD)
    (bert / "config.json").write_text('{"architectures": ["BertForSequenceClassification"], "num_labels": 2}\n')
    small = FILES - WEIGHTS - 4  # .gitattributes, .hf-publish.yaml, README.md, config.json
    body = "".join(f"def function_{n}(x):\n    return x * {n}  # some code\n\n" for n in range(20))
    for i in range(small):
        folder = repo / "src" / f"pkg{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % 5 == 4:
            (folder / f"data_{i}.json").write_text('{"id": %d, "text": "a sentence of example data"}\n' % i * 10)
        else:
            (folder / f"module_{i}.py").write_text(f'"""Module {i}."""\n\nimport os\n\n{body}')
    git(repo, "add", "-A", "--", ".", ":(exclude)*.safetensors")
    pointer = pointer_for_zeros(WEIGHT_SIZE)
    stage_weights(
        repo, [f"models/bert/model-{i + 1:05d}-of-{WEIGHTS:05d}.safetensors" for i in range(WEIGHTS)], pointer
    )
    # Plumbing, not `git commit`: its index refresh would see the --index-info entries' empty stat
    # data and run git-lfs clean over the 5 GB to compare them.
    tree = git(repo, "write-tree").decode().strip()
    head = git(repo, "commit-tree", tree, "-m", "a big model repo").decode().strip()
    git(repo, "update-ref", "HEAD", head)
    # A repo this size is packed (a clone is; `git commit` runs `gc --auto` past 6,700 loose
    # objects): pack it as git would. The 5 files staged below stay loose, as in real life.
    git(repo, "gc", "-q")
    assert len(git(repo, "ls-files", "-z").split(b"\0")) - 1 == FILES
    # The 5-file commit: 3 new files, 1 modified file, 1 new weights file (an LFS pointer).
    commit = [
        "src/pkg000/module_0.py",
        "src/new/a.py",
        "src/new/b.py",
        "models/bert/notes.md",
        "models/bert/extra.safetensors",
    ]
    (repo / commit[0]).write_text((repo / commit[0]).read_text() + "\nVALUE = 1\n")
    (repo / "src/new").mkdir()
    (repo / commit[1]).write_text("import os\n\nTOKEN = os.environ['HF_TOKEN']\n")
    (repo / commit[2]).write_text("print('hello')\n")
    (repo / commit[3]).write_text("# notes\n")
    git(repo, "add", *commit[:4])
    stage_weights(repo, commit[4:], pointer)
    return repo, commit


def rchar() -> int:
    with open("/proc/self/io") as handle:
        return int(dict(line.split(": ") for line in handle.read().splitlines())["rchar"])


def measure(
    command: list[str], repo: Path, runs: int, *, hook: bool = False, reference: list[str] | None = None
) -> dict:
    """Median and min wall time, most bytes read, last exit code and output of `command`; with
    `reference`, that command is run alternately with it (so load on the machine hits both) and
    its median is returned as `reference`."""
    # Without PYTHONDONTWRITEBYTECODE: the warm-up writes the bytecode pip would have compiled.
    dropped = ("GITHUB_ACTIONS", "HF_PUBLISH_DEBUG", "PYTHONDONTWRITEBYTECODE", "PRE_COMMIT")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    if hook:
        env["PRE_COMMIT"] = "1"  # as pre-commit sets it for its hooks
    subprocess.run(command, cwd=repo, capture_output=True, env=env)  # warm-up (page cache, caches, bytecode)
    times, reads, reference_times, code = [], [], [], None
    for _ in range(runs):
        before, start = rchar(), time.perf_counter()
        result = subprocess.run(command, cwd=repo, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
        reads.append(rchar() - before)
        code = result.returncode
        output = (result.stdout + result.stderr).decode("utf-8", "replace")
        if reference is not None:
            start = time.perf_counter()
            subprocess.run(reference, cwd=repo, capture_output=True, env=env)
            reference_times.append(time.perf_counter() - start)
    return {
        "median": statistics.median(times),
        "min": min(times),
        "read": max(reads),
        "code": code,
        "output": output,
        "reference": statistics.median(reference_times) if reference_times else None,
    }


def ensure_check_added_large_files() -> Path:
    exe = BIN / "check-added-large-files"
    if not exe.exists():
        print("installing pre-commit-hooks (for check-added-large-files) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pre-commit-hooks==6.0.0"], check=True)
    return exe


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the generated repo and print its path")
    args = parser.parse_args()
    if not Path("/proc/self/io").exists():
        raise SystemExit("needs Linux /proc/<pid>/io to count bytes read")
    hf = str(BIN / "hf-publish") if (BIN / "hf-publish").exists() else shutil.which("hf-publish")
    large = str(ensure_check_added_large_files())
    tmp = Path(tempfile.mkdtemp(prefix="hf-publish-bench-"))
    try:
        start = time.perf_counter()
        repo, commit = build_repo(tmp)
        print(
            f"generated {FILES} files ({WEIGHTS} x {WEIGHT_SIZE // 10**6} MB sparse weights as LFS pointers) "
            f"in {time.perf_counter() - start:.1f} s; median of {args.runs} runs after a warm-up\n"
        )
        tracked = git(repo, "ls-files", "-z").decode().split("\0")[:-1]
        rows = [
            ("hf-publish check --all-files (all 6 checks)", [hf, "check", "--all-files"], FILES, 2000),
            *[
                (f"hf-publish check {c} --all-files", [hf, "check", c, "--all-files"], FILES, None)
                for c in ("config", "repo-name", "branch-name", "model-card", "lfs", "secrets")
            ],
            ("hook: hf-publish check lfs <5 files>", [hf, "check", "lfs", *commit], 5, 150),
            ("hook: hf-publish check secrets <5 files>", [hf, "check", "secrets", *commit], 5, 150),
            (
                "hook: python -m hf_publish check lfs <5 files>",
                [sys.executable, "-m", "hf_publish", "check", "lfs", *commit],
                5,
                None,
            ),
            ("pre-commit-hooks check-added-large-files <5 files>", [large, *commit], 5, None),
            ("pre-commit-hooks check-added-large-files --enforce-all", [large, "--enforce-all", *tracked], FILES, None),
        ]
        header = (
            f"| {'command':<56} | {'files':>6} | {'median ms':>9} | {'min ms':>7} | {'MB read':>8} | {'exit':>4} "
            f"| {'vs ref':>6} | {'target':<24} |"
        )
        print(header)
        print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
        failures = []
        for name, command, files, target in rows:
            hook = name.startswith("hook:")
            m = measure(
                command,
                repo,
                args.runs,
                hook=hook or name.startswith("pre-commit-hooks"),
                reference=[large, *commit] if hook else None,
            )
            ms = m["median"] * 1000
            verdict = "" if target is None else (f"< {target} ms " + ("ok" if ms < target else "MISS"))
            if target is not None and ms >= target:
                failures.append(name)
            ratio = ""
            if m["reference"] is not None:
                ratio = f"{m['median'] / m['reference']:.2f}x"
                if name.startswith("hook: hf-publish"):  # the console script, as pre-commit runs it
                    within = m["median"] <= HOOK_RATIO * m["reference"]
                    verdict += f", <= {HOOK_RATIO}x " + ("ok" if within else "MISS")
                    if not within:
                        failures.append(f"{name}: {ratio} check-added-large-files")
            print(
                f"| {name:<56} | {files:>6} | {ms:>9.0f} | {m['min'] * 1000:>7.0f} | "
                f"{m['read'] / 1e6:>8.1f} | {m['code']:>4} | {ratio:>6} | {verdict:<24} |"
            )
            if m["code"] not in (0,) and "check-added-large-files" not in name:
                print(f"|   findings: {m['output'].strip().splitlines()[-1][:100]}")
            if m["read"] >= WEIGHT_SIZE:
                failures.append(f"{name} read {m['read']} bytes: a weights file whole?")
        print(
            f"\nweights: {WEIGHTS} files of {WEIGHT_SIZE / 1e6:.0f} MB ({WEIGHTS * WEIGHT_SIZE / 1e9:.0f} GB sparse); "
            "'MB read' counts every byte the command and its git children read."
        )
        if failures:
            print("MISS: " + "; ".join(failures))
        if args.keep:
            print(f"repo kept at {repo}")
        return 1 if failures else 0
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
