"""`check lfs --history`: real git repos with real history, the CLI as a subprocess."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from tests.helpers import commit_all, git, init_repo, write


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["hf-publish", "check", "lfs", "--history", *args], cwd=repo, capture_output=True, text=True, timeout=120
    )


def history_repo(tmp_path: Path) -> tuple[Path, str, str]:
    repo = init_repo(tmp_path / "repo", branch="main", lfs=False)
    write(repo / "README.md", "# model\n")
    first = commit_all(repo, "start")
    write(repo / "weights.bin", b"\0\1" * 600_000)  # 1.2 MB binary, not in LFS
    write(repo / "logs" / "train.txt", "a line of a training log\n" * 500_000)  # 12.5 MB of text
    write(repo / "small.bin", b"\0" * 1000)
    commit_all(repo, "add weights and logs")
    (repo / "weights.bin").unlink()
    (repo / "logs" / "train.txt").unlink()
    last = commit_all(repo, "remove them again: history still holds them")
    return repo, first, last


def test_history_finds_deleted_blobs_the_hub_would_refuse_and_prints_the_migrate_command(tmp_path: Path):
    repo, _, _ = history_repo(tmp_path)
    result = run(repo)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "weights.bin: [lfs] in the whole history since commit" in out and "binary file" in out
    assert "logs/train.txt: [lfs]" in out and "over lfs.max_text_size (10 MiB)" in out
    assert "small.bin" not in out
    command = "git lfs migrate import --include='*.bin,logs/train.txt' --everything"
    assert command in out and "this rewrites history" in out and "git push --force --all" in out
    # the printed command does what it says: afterwards the history passes
    git(repo, "lfs", "install", "--local")
    subprocess.run(shlex.split(command), cwd=repo, check=True, capture_output=True)
    result = run(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no blob in every branch and tag would be refused" in result.stderr


def test_history_takes_a_revision_range_and_refuses_a_bad_one(tmp_path: Path):
    repo, first, last = history_repo(tmp_path)
    assert run(repo, f"{first}..{last}").returncode == 1
    git(repo, "tag", "pushed", last)
    write(repo / "notes.md", "more\n")
    commit_all(repo, "a new commit")
    clean = run(repo, "pushed..HEAD")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    bad = run(repo, "no-such-rev..HEAD")
    assert bad.returncode == 2 and "Next:" in bad.stderr and "Traceback" not in bad.stderr
    mixed = subprocess.run(["hf-publish", "check", "secrets", "--history"], cwd=repo, capture_output=True, text=True)
    assert mixed.returncode == 2 and "belongs to the lfs check" in mixed.stderr
