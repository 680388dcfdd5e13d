"""A file checked by hand is checked as git's index holds it (what the commit takes): the run says
so once when the working tree differs, and a finding does not call a file named on the command
line "a staged file". Under pre-commit (which stashes unstaged changes) neither is said."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import commit_all, git, init_repo, write

HF_PUBLISH = str(Path(sys.executable).with_name("hf-publish"))
LITERAL = "s3cr3tV4lu3Th4tL00ksR34l"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT"))}


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HF_PUBLISH, *args], cwd=repo, capture_output=True, text=True, env=_env(), timeout=120)


def test_checking_a_file_with_unstaged_changes_says_it_checked_the_staged_version(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / "config.yaml", f'hub:\n  token: "{LITERAL}"\n')
    write(repo / "train.py", "print('hi')\n")
    git(repo, "add", "-A")
    write(repo / "config.yaml", "hub:\n  token: ${HF_TOKEN}\n")  # fixed in the editor, not staged yet
    proc = run(repo, "check", "secrets", "config.yaml", "train.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "config.yaml:2: [secrets] hard-coded token value s3cr\u2026 in the file's staged version (git's index)"
        in proc.stdout
    )
    assert "in a staged file" not in proc.stdout
    notice = [line for line in proc.stderr.splitlines() if "unstaged changes" in line]
    assert notice == [
        "hf-publish: checked the staged version of config.yaml; it has unstaged changes. "
        "Next: `git add` it to check what you see in the editor"
    ], proc.stderr
    git(repo, "add", "config.yaml")
    proc = run(repo, "check", "secrets", "config.yaml")
    assert proc.returncode == 0 and "unstaged" not in proc.stderr, proc.stdout + proc.stderr


def test_several_changed_files_are_named_in_one_line(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / "a.py", "x = 1\n")
    write(repo / "b.py", "y = 1\n")
    commit_all(repo)
    write(repo / "a.py", "x = 2\n")
    write(repo / "b.py", "y = 2\n")
    proc = run(repo, "check", "secrets", "a.py", "b.py")
    assert proc.returncode == 0
    assert [line for line in proc.stderr.splitlines() if "unstaged" in line] == [
        "hf-publish: checked the staged versions of a.py, b.py; they have unstaged changes. "
        "Next: `git add` them to check what you see in the editor"
    ]


def test_under_pre_commit_a_staged_file_is_a_staged_file(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(
        repo / ".pre-commit-config.yaml",
        f"""repos:
  - repo: local
    hooks:
      - id: secrets
        name: secrets
        entry: {HF_PUBLISH} check secrets
        language: system
        pass_filenames: true
""",
    )
    commit_all(repo)
    write(repo / "config.yaml", f'hub:\n  token: "{LITERAL}"\n')
    git(repo, "add", "config.yaml")
    write(repo / "config.yaml", "hub:\n  token: ${HF_TOKEN}\n")  # pre-commit stashes this away
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "secrets"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "config.yaml:2: [secrets] hard-coded token value s3cr\u2026 in a staged file" in out
    assert "unstaged changes" not in out.replace("Unstaged files detected", "")


def test_under_pre_commit_the_working_tree_is_not_compared(tmp_path: Path):
    # pre-commit and prek set PRE_COMMIT=1 and stash unstaged changes first, so the hook skips the
    # comparison (a `git diff` that costs more than the check); run by hand, the same call says it.
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / "train.py", "print('hi')\n")
    git(repo, "add", "-A")
    write(repo / "train.py", "print('edited')\n")
    by_hand = run(repo, "check", "secrets", "train.py")
    assert "unstaged changes" in by_hand.stderr, by_hand.stderr
    as_hook = subprocess.run(
        [HF_PUBLISH, "check", "secrets", "train.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**_env(), "PRE_COMMIT": "1"},
        timeout=120,
    )
    assert as_hook.returncode == 0, as_hook.stdout + as_hook.stderr
    assert "unstaged changes" not in as_hook.stderr
