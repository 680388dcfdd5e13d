"""The secrets check: tokens and hard-coded token values in what is committed, never printed whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hf_publish.checks import secrets
from hf_publish.checks._inputs import CheckContext
from hf_publish.cli import main
from hf_publish.policy.load import policy_from_data
from hf_publish.policy.model import Policy
from tests.helpers import git, init_repo, write

# Shaped like a user access token (hf_ + 34 letters); not a real one.
TOKEN = "hf_" + "QwErTyUiOpAsDfGhJkLzXcVbNm" + "PlOkIjUh"
LITERAL = "s3cr3t-Literal-9f8e7d6c"


def kinds(text: str, path: str = "upload.py") -> list[tuple[int, str, str]]:
    return [(s.line, s.kind, s.value) for s in secrets.find_secrets(text.encode(), path)]


def run_check(repo: Path, monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code = main(["check", "secrets", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


# --- what counts as a secret ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        (f'api = HfApi(token="{TOKEN}")\n', "upload.py", [(1, "hf-token", TOKEN)]),
        (f"# notes\n\nuse {TOKEN} for now\n", "NOTES.md", [(3, "hf-token", TOKEN)]),
        (f'login(token="{LITERAL}")\n', "upload.py", [(1, "token", LITERAL)]),
        (f"snapshot_download(repo, use_auth_token='{LITERAL}')\n", "dl.py", [(1, "use_auth_token", LITERAL)]),
        (f'hf_token = "{LITERAL}"\n', "cfg.py", [(1, "hf_token", LITERAL)]),
        (f"HF_TOKEN={LITERAL}\n", ".env", [(1, "HF_TOKEN", LITERAL)]),
        (f"export HUGGING_FACE_HUB_TOKEN='{LITERAL}'\n", "run.sh", [(1, "HUGGING_FACE_HUB_TOKEN", LITERAL)]),
        (f"env:\n  HF_TOKEN: {LITERAL}\n", "ci.yml", [(2, "HF_TOKEN", LITERAL)]),
        (f"ENV HUGGINGFACEHUB_API_TOKEN={LITERAL}\n", "Dockerfile", [(1, "HUGGINGFACEHUB_API_TOKEN", LITERAL)]),
        (f'os.environ["HF_TOKEN"] = "{LITERAL}"\n', "train.py", [(1, "HF_TOKEN", LITERAL)]),
        (f'{{"cells": [{{"source": ["login(token=\\"{LITERAL}\\")\\n"]}}]}}', "nb.ipynb", [(1, "token", LITERAL)]),
        # `token:` as YAML, JSON and Python dicts spell it, quoted anywhere, unquoted in configuration files
        (f'token: "{LITERAL}"\n', "config.yaml", [(1, "token", LITERAL)]),
        (f"hub:\n  hf_token: '{LITERAL}'\n", "settings.yml", [(2, "hf_token", LITERAL)]),
        (f"hf_token: {LITERAL}\n", "settings.yaml", [(1, "hf_token", LITERAL)]),
        (f'{{"hf_token": "{LITERAL}"}}\n', "secrets.json", [(1, "hf_token", LITERAL)]),
        (f'client = Client(**{{"token": "{LITERAL}"}})\n', "upload.py", [(1, "token", LITERAL)]),
        (f'token = "{LITERAL}"\n', "pyproject.toml", [(1, "token", LITERAL)]),
        # An hf_ token given to a keyword is one finding, not two.
        (f'HF_TOKEN = "{TOKEN}"\n', "upload.py", [(1, "hf-token", TOKEN)]),
    ],
)
def test_secrets_found(text, path, expected):
    assert kinds(text, path) == expected


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('login(token=os.environ["HF_TOKEN"])\n', "upload.py"),
        ("HF_TOKEN = os.getenv('HF_TOKEN')\n", "upload.py"),
        ("HF_TOKEN = read_token_from_vault\n", "upload.py"),  # a Python name, not a literal
        ("HF_TOKEN=\n", ".env.example"),
        ('HF_TOKEN=""\n', ".env.example"),
        ("HF_TOKEN=$HF_TOKEN\n", "run.sh"),
        ('HF_TOKEN="${HF_TOKEN}"\n', "run.sh"),
        ("env:\n  HF_TOKEN: ${{ secrets.HF_TOKEN }}\n", "publish.yml"),
        ('login(token="hf_...")\n', "README.md"),
        ('login(token="<your token>")\n', "README.md"),
        ("HF_TOKEN=YOUR_HF_TOKEN_HERE\n", ".env.example"),
        ('login(token="hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")\n', "README.md"),
        ("api = HfApi(token=token)\n", "upload.py"),
        ('tokenizer.add_special_tokens({"pad_token": "[PAD]"}); token = "[CLS]"\n', "prep.py"),
        ('bos_token="<|endoftext|>"\n', "tok.py"),
        ("token=True\n", "notes.md"),
        ("hf_token: ${{ secrets.HF_TOKEN }}\n", "workflow.yml"),
        ("token: $HF_TOKEN\n", "config.yaml"),
        ('token: "<your-token>"\n', "config.yaml"),
        ("token: null\n", "config.yaml"),
        ("token: required\n", "schema.yaml"),  # a word, not a generated value
        ("The token: authentication123 is described below\n", "NOTES.md"),  # prose: unquoted outside config
        ('{"pad_token": "[PAD]", "bos_token": "<s>", "use_auth_token": true}\n', "tokenizer_config.json"),
        ("def f(token: str = None): ...\n", "lib.py"),
        (f"prefix_{TOKEN[3:]}\n", "x.txt"),
    ],
)
def test_not_secrets(text, path):
    assert kinds(text, path) == []


def test_token_search_agrees_with_the_shared_token_regex():
    from hf_publish.tokens import HF_TOKEN_RE

    for text in (
        TOKEN,
        f"x{TOKEN}",
        f"_{TOKEN}",
        f"1{TOKEN}",
        f"({TOKEN})",
        f"{TOKEN}a",
        f"{TOKEN}9",
        f"{TOKEN[:-1]}",
        f"a={TOKEN};",
        f"{TOKEN}{TOKEN}",
    ):
        expected = [m.group(0) for m in HF_TOKEN_RE.finditer(text)]
        assert [s.value for s in secrets.find_secrets(text.encode()) if s.kind == "hf-token"] == expected, text


def test_masks_never_show_the_value():
    for value in (TOKEN, LITERAL, "abcdefgh12"):
        secret = secrets.Secret(1, "hf-token" if value.startswith("hf_") else "token", value)
        shown = secrets.mask_value(secret)
        assert shown.endswith("\u2026") and value not in shown and len(shown) <= 8
    assert secrets.mask_value(secrets.Secret(1, "hf-token", TOKEN)) == "hf_QwEr\u2026"


# --- real repos through the CLI ---------------------------------------------------------------


def test_token_in_a_staged_file_is_reported_masked_in_every_format(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / "scripts" / "upload.py", f'from huggingface_hub import HfApi\n\napi = HfApi(token="{TOKEN}")\n')
    write(repo / ".env", f"HF_TOKEN={LITERAL}\n")
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys)
    assert code == 1
    assert "scripts/upload.py:3: [secrets] Hugging Face token hf_QwEr\u2026 hard-coded in a staged file" in out
    assert ".env:1: [secrets] hard-coded HF_TOKEN value s3cr\u2026 in a staged file" in out
    assert "REVOKE" in out and "os.environ" in out
    for fmt in ("json", "github"):
        code, out = run_check(repo, monkeypatch, capsys, "--format", fmt)
        assert code == 1 and "hf_QwEr" in out
        assert TOKEN not in out and LITERAL not in out
    assert len(json.loads(run_check(repo, monkeypatch, capsys, "--format", "json")[1])["findings"]) == 2


def test_the_real_command_never_prints_the_token(tmp_path):
    repo = init_repo(tmp_path / "r")
    write(repo / "a.py", f"TOKEN = '{TOKEN}'\n")
    write(repo / "b.py", "print('hello')\n")
    git(repo, "add", "-A")
    result = subprocess.run(
        [sys.executable, "-m", "hf_publish", "check", "secrets", "a.py", "b.py"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "a.py:1: [secrets]" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_the_index_decides_not_the_working_tree(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / "upload.py", f'login(token="{TOKEN}")\n')
    git(repo, "add", "-A")
    write(repo / "upload.py", 'login(token=os.environ["HF_TOKEN"])\n')  # fixed, but not staged
    code, out = run_check(repo, monkeypatch, capsys, "upload.py")
    assert code == 1 and "upload.py:1:" in out
    git(repo, "add", "upload.py")
    assert run_check(repo, monkeypatch, capsys, "upload.py") == (0, "")
    write(repo / "upload.py", f'login(token="{TOKEN}")\n')  # only in the working tree: not committed
    code, out = run_check(repo, monkeypatch, capsys, "upload.py")
    assert code == 0 and out.startswith("hf-publish: checked the staged version of upload.py; it has unstaged")
    assert "[secrets]" not in out


def test_lfs_binary_and_excluded_files_are_skipped(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / ".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n")
    write(repo / ".hf-publish.yaml", "secrets:\n  exclude: ['tests/fixtures/**', '*.snap']\n")
    write(repo / "weights.bin", f"{TOKEN}\n".encode() * 10)  # LFS: the pointer is what is committed
    write(repo / "blob.dat", b"\0\1" + f" {TOKEN} ".encode())  # binary
    write(repo / "tests" / "fixtures" / "fake.py", f'TOKEN = "{TOKEN}"\n')
    write(repo / "ui.snap", f"{TOKEN}\n")
    write(repo / "tests" / "test_upload.py", f'TOKEN = "{TOKEN}"\n')  # not excluded
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys, "--all-files")
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines() if "[secrets]" in line] == ["tests/test_upload.py"]


def test_a_large_text_file_is_scanned_from_its_start(tmp_path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r")
    write(repo / "log.txt", f"HF_TOKEN={TOKEN}\n" + "a line of log output\n" * 150_000)  # 3 MB
    git(repo, "add", "-A")
    code, out = run_check(repo, monkeypatch, capsys, "log.txt")
    assert code == 1 and "log.txt:1: [secrets]" in out


def test_publish_time_scans_the_working_tree_of_the_repo_folders(tmp_path):
    repo = init_repo(tmp_path / "r")
    write(repo / "models" / "bert" / "README.md", "# bert\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    # Untracked files in the folder are uploaded by a folder publish; ignored globs are not.
    write(repo / "models" / "bert" / "push.py", f'HfApi(token="{TOKEN}")\n')
    write(repo / "models" / "bert" / "scratch" / "notes.txt", f"{TOKEN}\n")
    write(repo / "elsewhere" / "push.py", f'HfApi(token="{TOKEN}")\n')
    policy = policy_from_data(
        {"organization": "acme-ai", "repos": [{"name": "bert-v1", "path": "models/bert", "ignore": ["scratch/**"]}]}
    )
    findings = secrets.run(CheckContext(root=repo, policy=policy, source="worktree"))
    assert [(f.path, f.line) for f in findings] == [("models/bert/push.py", 1)]
    assert "would be published" in findings[0].message and TOKEN not in findings[0].message


def test_outside_git_the_files_are_scanned(tmp_path, monkeypatch, capsys):
    write(tmp_path / "upload.py", f'login(token="{TOKEN}")\n')
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, out = run_check(tmp_path, monkeypatch, capsys, "upload.py")
    assert code == 1 and "upload.py:1: [secrets]" in out and TOKEN not in out
    findings = secrets.run(CheckContext(root=tmp_path, policy=Policy(), in_git=False))
    assert [f.path for f in findings] == ["upload.py"]


def test_a_yaml_token_is_caught_by_the_real_command_and_the_message_says_where_it_was_read(tmp_path):
    repo = init_repo(tmp_path / "r")
    write(repo / "config.yaml", f'hub:\n  hf_token: "{LITERAL}"\n')
    git(repo, "add", "-A")
    write(repo / "notes.env", f"token: {LITERAL}\n")  # named on the command line, never staged
    result = subprocess.run(
        [sys.executable, "-m", "hf_publish", "check", "secrets", "config.yaml", "notes.env"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_ACTIONS": ""},
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert (
        "config.yaml:2: [secrets] hard-coded hf_token value s3cr\u2026 in the file's staged version (git's index)"
        in out
    )
    assert "notes.env:1: [secrets] hard-coded token value s3cr\u2026 in a file named on the command line" in out
    assert LITERAL not in out


def test_a_file_lfs_did_not_clean_is_scanned_as_committed(tmp_path, monkeypatch, capsys):
    """Without git-lfs installed, a file .gitattributes puts in LFS is committed as itself: its
    token goes into git history, so it is reported (a proper pointer has nothing to find)."""
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / ".gitattributes", "*.txt filter=lfs diff=lfs merge=lfs -text\n")
    write(repo / "notes.txt", f"HF_TOKEN={TOKEN}\n")
    git(repo, "add", ".gitattributes")
    oid = git(repo, "hash-object", "-w", "--no-filters", "notes.txt").strip()  # staged as itself, as without git-lfs
    git(repo, "update-index", "--add", "--cacheinfo", f"100644,{oid},notes.txt")
    code, out = run_check(repo, monkeypatch, capsys, "--all-files")
    assert code == 1 and "notes.txt:1: [secrets]" in out
