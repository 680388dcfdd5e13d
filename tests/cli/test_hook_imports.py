"""A hook is a new interpreter per commit: on a policy seen before, it imports none of the heavy
modules (each costs a hook ~5-100 ms: benchmarks/hooks.py measures the whole). This guards the
start-up work without timing anything: a heavy import that creeps back fails here by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import git, init_repo, write

HEAVY = (
    *("yaml", "jsonschema", "regex", "dataclasses", "hashlib", "json", "importlib.resources", "tempfile", "inspect"),
    # ~1-4 ms each: git is started with os.posix_spawnp, argparse's help width is worked out without
    # shutil, and typing's names are for type checkers only
    *("subprocess", "threading", "selectors", "shutil", "typing"),
    # ~0.3-0.6 ms each: cache names are integer residues (no zlib), the policy's BOM is stripped by
    # hand (no utf_8_sig codec), shlex is imported only to write a fix, and try/except in place of
    # contextlib
    *("zlib", "encodings.utf_8_sig", "shlex", "contextlib"),
)
PROGRAM = f"""
import sys
from hf_publish.cli import main
code = main(["check", *sys.argv[1:]])
heavy = sorted(set({HEAVY!r}) & set(sys.modules))
print("HEAVY", *heavy, file=sys.__stderr__)
sys.exit(code)
"""


@pytest.mark.parametrize("hook", ["config", "repo-name", "branch-name", "model-card", "lfs", "secrets", "members"])
def test_a_hook_on_a_known_policy_imports_no_heavy_module(tmp_path: Path, hook: str):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / ".hf-publish.yaml", "organization: acme\nrepos:\n  - name: bert-sentiment-v1\n    path: model\n")
    write(repo / "model" / "config.json", '{"hidden_size": 768}\n')
    sections = "".join(f"\n## {name}\n\nText.\n" for name in ("Overview", "Usage", "Performance", "License", "Contact"))
    write(repo / "model" / "README.md", f"---\nlicense: mit\n---\n# bert-sentiment-v1\n{sections}")
    env = {k: v for k, v in os.environ.items() if k != "HF_PUBLISH_NO_CACHE"}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), PRE_COMMIT="1")
    git(repo, "add", "-A")
    # A commit every hook passes (a finding may import what writing it needs): .gitattributes
    # with the LFS rules the policy requires, as `check lfs --fix` writes it.
    subprocess.run(
        [sys.executable, "-m", "hf_publish", "check", "lfs", "--fix"], cwd=repo, env=env, capture_output=True
    )
    git(repo, "add", "-A")
    files = [".gitattributes", ".hf-publish.yaml", "model/config.json", "model/README.md"]
    runs = [
        subprocess.run(
            [sys.executable, "-c", PROGRAM, hook, *files],
            cwd=repo,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        for _ in range(2)  # the first run parses and caches the policy
    ]
    heavy = [line for line in runs[1].stderr.splitlines() if line.startswith("HEAVY")]
    assert runs[1].returncode == 0, runs[1].stdout + runs[1].stderr
    assert heavy == ["HEAVY"], runs[1].stdout + runs[1].stderr
