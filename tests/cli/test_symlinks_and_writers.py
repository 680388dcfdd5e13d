"""Symlinks from a checkout never steer hf-publish: a repo `path` through a symlink is a config error
(checks and publish agree), and no writer (`check lfs --fix`, `init`, `refresh-vocab`) writes
through a symlink or outside the work tree. Fix lines quote names for a POSIX shell."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from hf_publish.checks.branch_name import BranchUnderTest, check_branch
from hf_publish.checks.lfs import judge_staged_file
from hf_publish.cli import main
from hf_publish.policy.model import BranchNaming, LfsPolicy
from tests.checks.test_model_card import _serve
from tests.helpers import git, init_repo, write

CARD = (Path(__file__).resolve().parents[1] / "action" / "fixtures" / "consumer" / "model" / "README.md").read_text()
SECRET = 'token = "sk-live-0123456789abcdef0123456789"\n'


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HF_TOKEN"))}
    return subprocess.run(
        [sys.executable, "-m", "hf_publish", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=120
    )


def layout(repo: Path, kind: str) -> str:
    """A repo `path` of each symlink shape; returns the policy's path value."""
    write(repo / "real" / "README.md", CARD)
    write(repo / "real" / "upload.py", SECRET)
    if kind == "link to a folder":
        (repo / "pub").symlink_to("real")
        return "pub"
    if kind == "link to the root":
        (repo / "pub").symlink_to(".")
        return "pub"
    if kind == "link on the way":
        (repo / "a").symlink_to("real")
        write(repo / "real" / "b" / "README.md", CARD)
        return "a/b"
    if kind == "link out of the repo":
        outside = repo.parent / "outside"
        write(outside / "README.md", CARD)
        (repo / "pub").symlink_to(outside)
        return "pub"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["link to a folder", "link to the root", "link on the way", "link out of the repo"])
def test_a_repo_path_through_a_symlink_is_a_config_error_for_checks_and_publish(tmp_path, kind):
    repo = init_repo(tmp_path / "repo", branch="main")
    path = layout(repo, kind)
    write(repo / ".hf-publish.yaml", f"organization: acme-ai\nrepos:\n  - name: kor-sentiment-v1\n    path: {path}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "symlinked repo folder")
    check = cli(repo, "check", "--all-files")
    publish = cli(repo, "publish", "--dry-run", "--format", "json")
    for result in (check, publish):
        assert result.returncode == 2, result.stdout + result.stderr
    assert ".hf-publish.yaml:4: [config] repos[0].path:" in check.stdout and "symlink" in check.stdout
    assert "symlink" in publish.stdout and '"results"' not in publish.stdout  # nothing was planned


def test_a_path_with_dot_dot_or_absolute_stays_a_config_error(tmp_path):
    repo = init_repo(tmp_path / "repo", branch="main")
    write(repo / ".hf-publish.yaml", "organization: acme-ai\nrepos:\n  - name: kor-sentiment-v1\n    path: ../x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "up")
    result = cli(repo, "check", "config")
    assert result.returncode == 1 and "[config] repos[0].path" in result.stdout, result.stdout + result.stderr


# --- writers --------------------------------------------------------------------------------------


def test_lfs_fix_never_writes_through_a_gitattributes_symlink_into_git_config(tmp_path):
    repo = init_repo(tmp_path / "repo", branch="main")
    config_before = (repo / ".git" / "config").read_bytes()
    (repo / ".gitattributes").symlink_to(".git/config")
    write(
        repo / ".hf-publish.yaml",
        "lfs:\n  required_patterns:\n    - '[core]'\n    - 'fsmonitor=touch${IFS}pwned'\n    - '*.bin'\n",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "gitattributes is a link")
    result = cli(repo, "check", "lfs", "--all-files", "--fix")
    assert result.returncode == 1
    assert (repo / ".git" / "config").read_bytes() == config_before
    assert (repo / ".gitattributes").is_symlink()
    assert "refused to write .gitattributes" in result.stdout and "symlink" in result.stdout


def test_a_required_pattern_with_a_line_break_is_a_config_error(tmp_path):
    repo = init_repo(tmp_path / "repo", branch="main")
    write(
        repo / ".hf-publish.yaml", 'lfs:\n  required_patterns:\n    - "*.bin\\n[core]\\n\\tfsmonitor = touch pwned"\n'
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "crafted pattern")
    result = cli(repo, "check", "lfs", "--all-files", "--fix")
    assert result.returncode == 2 and "is invalid" in result.stderr, result.stdout + result.stderr
    assert "control character" in cli(repo, "check", "config").stdout
    assert "fsmonitor" not in (repo / ".git" / "config").read_text()
    assert not (repo / ".gitattributes").exists()


def test_lfs_fix_refuses_a_gitattributes_in_a_symlinked_folder(tmp_path):
    repo = init_repo(tmp_path / "repo", branch="main")
    outside = tmp_path / "outside"
    write(outside / ".gitattributes", "*.bin filter=lfs\n")
    (repo / "model").symlink_to(outside)
    write(repo / ".hf-publish.yaml", "lfs:\n  required_patterns: ['*.bin']\n")
    write(repo / ".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "linked folder")
    result = cli(repo, "check", "lfs", "model/.gitattributes", "--fix")
    assert result.returncode in (0, 1), result.stderr  # git keeps no file beyond a link: nothing to fix...
    assert (outside / ".gitattributes").read_text() == "*.bin filter=lfs\n"  # ...and nothing written there


@pytest.mark.parametrize("target", [".gitattributes", ".hf-publish.yaml", "model/README.md"])
def test_init_refuses_to_write_through_a_symlink_and_writes_nothing(tmp_path, target):
    repo = init_repo(tmp_path / "repo", branch="main")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (repo / target).parent.mkdir(parents=True, exist_ok=True)
    (repo / target).symlink_to(victim)
    result = cli(repo, "init", "--org", "acme-ai", "--path", "model", "--force")
    assert result.returncode == 2 and "symlink" in result.stderr
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in repo.iterdir() if p.name != ".git") == sorted({target.split("/")[0]})


def test_init_refuses_a_path_through_a_symlinked_folder(tmp_path):
    repo = init_repo(tmp_path / "repo", branch="main")
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "model").symlink_to(outside)
    result = cli(repo, "init", "--org", "acme-ai", "--path", "model/sub")
    assert result.returncode == 2 and "symlink" in result.stderr
    assert list(outside.iterdir()) == []


def test_refresh_vocab_refuses_a_symlinked_data_file_and_writes_neither(tmp_path, capsys):
    victim = tmp_path / "victim.json"
    victim.write_text("{}")
    out = tmp_path / "data"
    out.mkdir()
    (out / "pipeline_tags.json").symlink_to(victim)
    server = _serve({"license": [{"id": "mit"}], "pipeline_tag": [{"id": "text-classification"}]})
    try:
        code = main(["refresh-vocab", "--endpoint", f"http://127.0.0.1:{server.server_port}", "--output", str(out)])
    finally:
        server.shutdown()
    assert code == 2 and "symlink" in capsys.readouterr().err
    assert victim.read_text() == "{}" and not (out / "licenses.json").exists()


def test_refresh_vocab_refuses_a_symlinked_output_folder(tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    assert main(["refresh-vocab", "--output", str(tmp_path / "link")]) == 2
    assert "symlink" in capsys.readouterr().err and list(real.iterdir()) == []


# --- fix lines paste safely ---------------------------------------------------------------------


def pasted_words(fix: str) -> list[str]:
    """What a POSIX shell sees: every `$(`, backtick and `;` stays inside one quoted word."""
    return shlex.split(fix.split(": ", 1)[-1])


@pytest.mark.parametrize("name", ["$(touch pwned)", "`id`", "x;rm -rf ~", "a b"])
def test_branch_name_fix_quotes_the_branch_for_a_shell(name):
    (finding,) = check_branch(BranchUnderTest(name, "the current branch", True), BranchNaming())
    words = pasted_words(finding.fix)
    assert words[:3] == ["git", "branch", "-m"] and words[3] == name and len(words) == 5


@pytest.mark.parametrize("path", ["$(touch pwned).bin", "`id`.bin", "dir/a;b", "x y/$HOME"])
def test_lfs_fixes_quote_file_names_for_a_shell(path):
    big = judge_staged_file(path, 20 * 2**20, None, False, LfsPolicy())
    assert path in pasted_words(big.fix.split("&& git add --renormalize ", 1)[1])
    pointer = judge_staged_file(path, 50, b"not a pointer", True, LfsPolicy())
    assert path in shlex.split(pointer.fix.split("git add --renormalize ", 1)[1].split(" (")[0])
