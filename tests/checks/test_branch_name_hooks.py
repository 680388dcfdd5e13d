"""branch-name on the user's path, through real pre-commit hooks installed in a real clone:
a push of a feature branch to `main` gets a push-specific fix, a commit on main is refused, and
`pre-commit run --all-files` on main with nothing staged is no refused commit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import GIT_ENV, commit_all, git, init_repo, write

HF_PUBLISH = str(Path(sys.executable).with_name("hf-publish"))
pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT", "GIT_INDEX"))}
    # the hook scripts pre-commit installs run this interpreter's pre_commit
    return {**env, **GIT_ENV, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"}


def clone_with_hooks(tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True, env=_env())
    repo = init_repo(tmp_path / "work", branch="main", lfs=False)
    write(
        repo / ".pre-commit-config.yaml",
        f"""repos:
  - repo: local
    hooks:
      - id: branch-name
        name: branch-name
        entry: {HF_PUBLISH} check branch-name
        language: system
        always_run: true
        pass_filenames: false
        stages: [pre-commit, pre-push, manual]
""",
    )
    write(repo / "train.py", "x = 1\n")
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty")  # before the hooks exist
    commit_all(repo, "first")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    for hook_type in ("pre-commit", "pre-push"):
        subprocess.run(
            [sys.executable, "-m", "pre_commit", "install", "--hook-type", hook_type],
            cwd=repo,
            check=True,
            capture_output=True,
            env=_env(),
        )
    return repo


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=repo, capture_output=True, text=True, env=_env(), timeout=300)


def test_pushing_a_feature_branch_to_main_gets_a_push_fix(tmp_path: Path):
    repo = clone_with_hooks(tmp_path)
    git(repo, "switch", "-q", "-c", "feature/tune")
    write(repo / "train.py", "x = 2\n")
    git(repo, "add", "train.py")
    assert run(repo, "git", "commit", "-q", "-m", "tune").returncode == 0
    proc = run(repo, "git", "push", "origin", "HEAD:main")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "the branch being pushed to 'main' is protected: no direct pushes" in out
    assert "git push -u origin feature/tune" in out and "git switch -c" not in out
    assert run(repo, "git", "push", "-q", "origin", "feature/tune").returncode == 0


def test_pushing_main_from_main_says_to_move_the_commits(tmp_path: Path):
    repo = clone_with_hooks(tmp_path)
    write(repo / "train.py", "x = 3\n")
    git(repo, "commit", "-q", "-a", "--no-verify", "-m", "on main")
    proc = run(repo, "git", "push", "origin", "main")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "git switch -c feature/<short-description> && git push -u origin feature/<short-description>" in out


def test_a_commit_on_main_is_refused_but_a_run_with_nothing_staged_is_not(tmp_path: Path):
    repo = clone_with_hooks(tmp_path)
    proc = run(repo, sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "nothing is staged: no commit to refuse" in out and "Failed" not in out
    write(repo / "train.py", "x = 4\n")
    git(repo, "add", "train.py")
    proc = run(repo, "git", "commit", "-m", "on main")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "the current branch 'main' is protected: no direct commits" in out
    proc = run(repo, "git", "commit", "--allow-empty", "-m", "empty on main")  # nothing staged, still a commit
    assert proc.returncode != 0, proc.stdout + proc.stderr
