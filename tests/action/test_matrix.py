"""`hf-publish matrix`: changed repos between two commits of a real git repo, as a job matrix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import git

POLICY = """\
organization: acme-ai
repos:
  - name: kor-sentiment-v1
    path: models/sentiment
  - name: kor-news-v1
    type: dataset
    path: data/news
  - name: kor-ner-v1
    path: models/ner
"""


def commit(root: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def matrix(root: Path, *args: str) -> tuple[int, dict | None, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hf_publish", "matrix", *args], cwd=root, capture_output=True, text=True
    )
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout.strip() else None), proc.stderr


@pytest.fixture
def monorepo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "mono"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    first = commit(
        root,
        {
            ".hf-publish.yaml": POLICY,
            "models/sentiment/README.md": "a",
            "data/news/README.md": "b",
            "models/ner/README.md": "c",
            "docs/notes.md": "n",
        },
        "first",
    )
    return root, first


def test_lists_only_repos_whose_folder_changed(monorepo):
    root, first = monorepo
    commit(root, {"models/sentiment/config.json": "{}", "docs/notes.md": "m"}, "tune sentiment")
    code, out, _ = matrix(root, "--base", first)
    assert code == 0 and out == {"repo": ["kor-sentiment-v1"]}


def test_default_base_is_the_previous_commit(monorepo):
    root, _ = monorepo
    commit(root, {"data/news/train.csv": "x"}, "news")
    commit(root, {"models/ner/README.md": "d"}, "ner")
    assert matrix(root)[1] == {"repo": ["kor-ner-v1"]}


def test_a_folder_name_prefix_is_not_a_match(monorepo):
    root, first = monorepo
    commit(root, {"models/sentiment-old/README.md": "x"}, "sibling folder")
    assert matrix(root, "--base", first)[1] == {"repo": []}


def test_deletions_and_renames_count_for_both_sides(monorepo):
    root, first = monorepo
    git(root, "mv", "models/ner/README.md", "data/news/NER.md")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "move")
    assert matrix(root, "--base", first)[1] == {"repo": ["kor-news-v1", "kor-ner-v1"]}


def test_policy_or_gitattributes_change_lists_every_repo(monorepo):
    root, first = monorepo
    commit(root, {".gitattributes": "*.bin filter=lfs diff=lfs merge=lfs -text\n"}, "lfs")
    assert len(matrix(root, "--base", first)[1]["repo"]) == 3


@pytest.mark.parametrize("base", ["0" * 40, "no-such-rev", "HEAD~5"])
def test_unknown_base_lists_every_repo(monorepo, base):
    root, _ = monorepo
    commit(root, {"models/ner/x.txt": "x"}, "x")
    code, out, _ = matrix(root, "--base", base)
    assert code == 0 and out == {"repo": ["kor-sentiment-v1", "kor-news-v1", "kor-ner-v1"]}


def test_shallow_clone_without_the_base_lists_every_repo(monorepo, tmp_path):
    root, first = monorepo
    commit(root, {"models/ner/x.txt": "x"}, "x")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(clone)], check=True)
    assert matrix(clone, "--base", first)[1]["repo"] == ["kor-sentiment-v1", "kor-news-v1", "kor-ner-v1"]


def test_output_fits_one_github_output_line(monorepo):
    root, first = monorepo
    commit(root, {"models/ner/x.txt": "x"}, "x")
    proc = subprocess.run(
        [sys.executable, "-m", "hf_publish", "matrix", "--base", first], cwd=root, capture_output=True, text=True
    )
    assert proc.stdout == '{"repo":["kor-ner-v1"]}\n'


def test_outside_git_is_a_usage_error(tmp_path):
    code, out, err = matrix(tmp_path)
    assert code == 2 and out is None and "not inside a git repository" in err
