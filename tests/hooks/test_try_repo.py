"""The real pre-commit install path: `pre-commit try-repo <this checkout> <hook-id>`.

pre-commit clones this repository at a commit, `pip install`s it into a hook environment and runs
the hook in a scratch consumer repo, as it will for users. The environment is built once per test
session (one PRE_COMMIT_HOME) and reused for every hook; the commit used is HEAD, so uncommitted
changes to this checkout are not what is tested here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import git
from tests.hooks.test_examples import HOOKS, ROOT, build_case_repo, expected_findings, finding_matches

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(consumer: Path, hook_id: str, home: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    head = git(ROOT, "rev-parse", "HEAD").strip()
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), **(extra_env or {})}
    for var in ("GITHUB_ACTIONS", "GITHUB_HEAD_REF", "GITHUB_REF"):
        env.pop(var, None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook_id, "--ref", head, "--all-files"],
        cwd=consumer,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.parametrize("hook_id", list(HOOKS))
def test_try_repo_runs_each_hook_from_a_clean_install(hook_id: str, tmp_path: Path, pre_commit_home: Path):
    fail_cases = sorted((ROOT / "hooks" / hook_id / "examples" / "fail").iterdir())
    consumer, spec = build_case_repo(fail_cases[0], tmp_path / "consumer")
    result = try_repo(consumer, hook_id, pre_commit_home, {k: str(v) for k, v in (spec.get("env") or {}).items()})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output and f"[{hook_id}]" in output, output
    for expected in expected_findings(fail_cases[0]):  # the finding the case states, not another one
        assert finding_matches(expected, output), (expected, output)
    assert "Traceback" not in output
