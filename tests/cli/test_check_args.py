"""`hf-publish check` refuses targets it cannot honour: unknown check ids, missing or outside files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hf_publish.checks.registry import CHECK_IDS
from tests.helpers import commit_all, git, init_repo, write

VALID = ", ".join(CHECK_IDS)


def hf_check(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hf_publish", "check", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / "notes.txt", "hello\n")
    assert hf_check(repo, "lfs", "--fix").returncode == 1  # writes every required LFS rule
    commit_all(repo)
    return repo


def assert_usage_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"hf-publish: error: {message}"]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("model_card", "model-card"), ("secret", "secrets"), ("Model-Card", "model-card"), ("branchname", "branch-name")],
)
def test_an_unknown_check_id_exits_2_with_the_nearest_id_and_the_valid_ones(repo: Path, typed: str, meant: str):
    assert_usage_error(hf_check(repo, typed), f"unknown check {typed!r}; did you mean {meant!r}? (checks: {VALID})")
    # also after a valid id, and with a file named after it
    assert_usage_error(
        hf_check(repo, "lfs", typed, "notes.txt"), f"unknown check {typed!r}; did you mean {meant!r}? (checks: {VALID})"
    )


def test_an_unknown_name_like_nothing_says_it_is_neither_check_nor_file(repo: Path):
    assert_usage_error(hf_check(repo, "zzz"), f"unknown check 'zzz' and no such file (checks: {VALID})")


def test_a_file_named_like_a_check_is_still_a_file(repo: Path):
    write(repo / "secret", "nothing to see\n")
    assert hf_check(repo, "secrets", "secret").returncode == 0
    git(repo, "add", "secret")
    (repo / "secret").unlink()  # staged, then deleted from disk: the index still holds it
    assert hf_check(repo, "secrets", "secret").returncode == 0


def test_a_named_file_that_does_not_exist_exits_2_naming_it(repo: Path):
    assert_usage_error(hf_check(repo, "lfs", "nosuch.bin"), "nosuch.bin: no such file")
    assert_usage_error(hf_check(repo, "model-card", "nosuch.md"), "nosuch.md: no such file")
    assert_usage_error(hf_check(repo, "notes.txt", "a.bin", "dir/b.bin"), "a.bin: no such file (and 1 more: dir/b.bin)")
    write(repo / "sub" / "x.txt", "x\n")
    assert_usage_error(hf_check(repo / "sub", "secrets", "x.txt", "y.bin"), "y.bin: no such file")
    assert hf_check(repo / "sub", "secrets", "x.txt", "../notes.txt").returncode == 0


def test_a_file_outside_the_repo_gets_a_plain_message(repo: Path, tmp_path: Path):
    outside = write(tmp_path / "outside.bin", b"\0weights")
    for name in (str(outside), "../outside.bin"):
        result = hf_check(repo, "lfs", name)
        assert_usage_error(result, f"{name}: outside the repository ({repo}); name files inside it")
        assert "git ls-files" not in result.stderr and "fatal" not in result.stderr


def test_existing_files_and_ids_still_run(repo: Path):
    assert hf_check(repo, "lfs", "notes.txt").returncode == 0
    assert hf_check(repo, "secrets", "lfs", "notes.txt", ".gitattributes").returncode == 0


def test_check_help_and_readme_document_exit_2_for_bad_targets():
    from hf_publish.cli.main import CHECK_HELP
    from hf_publish.errors import EXIT_CODES_HELP

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "unknown check" in CHECK_HELP and "outside the repository" in CHECK_HELP and "exit 2" in CHECK_HELP
    row = next(line for line in readme.splitlines() if line.startswith("| 2 |"))
    assert "unknown check id" in row and "does not exist" in row
    assert "unknown check id" in EXIT_CODES_HELP


def test_an_invalid_policy_is_reported_once_by_config_and_in_one_line_by_every_other_hook(repo: Path):
    """Each hook is its own process: a broken policy must not print its problems once per hook."""
    write(
        repo / ".hf-publish.yaml",
        "organization: acme-ai\nrepos:\n  - name: kor-sentiment-v1\n    typ: model\nlfs:\n  max_text_size: ten megs\n",
    )
    git(repo, "add", "-A")
    config = hf_check(repo, "config", ".hf-publish.yaml")
    assert config.returncode == 1, config  # the config hook: findings, like every other check's findings
    assert ".hf-publish.yaml:4: [config] unknown key 'repos[0].typ'" in config.stdout
    assert ".hf-publish.yaml:6: [config]" in config.stdout
    for hook in ("repo-name", "model-card", "lfs", "secrets", "branch-name"):
        other = hf_check(repo, hook)
        assert other.returncode == 2 and other.stdout == "", other
        (line,) = other.stderr.strip().splitlines()
        assert line == (
            "hf-publish: .hf-publish.yaml is invalid (2 problem(s)), so this check did not run; "
            "the config check lists them: hf-publish check config"
        )
    every = hf_check(repo)  # all checks at once: the problems once, then which checks did not run
    assert every.returncode == 2 and every.stdout.count("unknown key 'repos[0].typ'") == 1, every
    assert "did not run" in every.stderr


def test_a_link_in_the_repo_is_judged_where_it_sits_not_where_it_points(repo: Path, tmp_path: Path):
    write(tmp_path / "elsewhere" / "weights.txt", "x\n")
    (repo / "linked").symlink_to(tmp_path / "elsewhere")
    (repo / "link.txt").symlink_to(tmp_path / "elsewhere" / "weights.txt")
    for name in ("linked/weights.txt", "link.txt"):
        result = hf_check(repo, "secrets", name)
        assert result.returncode in (0, 1) and "outside the repository" not in result.stderr, result.stderr
