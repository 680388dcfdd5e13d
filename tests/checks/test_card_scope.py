"""Which README.md files are cards, on the user's path: the pre-commit hook (real pre-commit),
`hf-publish check --all-files` and the Action's pull-request check (`hf-publish gh-action`) look at
the same tree and report the same cards. By default only the configured repos' cards are cards
(not the project's own README.md or docs/); `card.paths` widens that, `card.exclude` narrows it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.action.test_gh_action import REPOSITORY, gh_action
from tests.checks.test_model_card import COMPLETE
from tests.helpers import commit_all, git, init_repo, write

BROKEN = COMPLETE.replace("license: apache-2.0", "license: Apache 2", 1)
PROSE = "# Our ML project\n\nHow to train, evaluate and publish our models. TODO: more.\n"
HF_PUBLISH = str(Path(sys.executable).with_name("hf-publish"))
PR_PAYLOAD = {"repository": REPOSITORY, "pull_request": {"number": 1, "head": {"repo": {"fork": False}}}}


def project(tmp_path: Path, card_keys: str = "") -> Path:
    """A normal project: its own README.md and docs/ beside one configured model folder."""
    repo = init_repo(tmp_path / "project", branch="feature/cards", lfs=False)
    write(repo / "README.md", PROSE)
    write(repo / "docs" / "README.md", PROSE)
    write(repo / "tools" / "README.md", PROSE)
    write(repo / "models" / "bert" / "README.md", BROKEN)
    write(repo / "models" / "bert" / "config.json", "{}\n")
    write(
        repo / ".hf-publish.yaml",
        "organization: acme-ai\nrepos:\n  - name: bert-ko-v1\n    path: models/bert\n" + card_keys,
    )
    write(
        repo / ".pre-commit-config.yaml",
        f"""repos:
  - repo: local
    hooks:
      - id: model-card
        name: model-card
        entry: {HF_PUBLISH} check model-card
        language: system
        files: (?i)(^|/)readme\\.md$
        pass_filenames: true
""",
    )
    commit_all(repo, "project")
    return repo


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "PRE_COMMIT"))}


def cards_in(output: str) -> set[str]:
    return set(re.findall(r"^(?:::error file=)?([\w./-]*README\.md)[:,]", output, re.M | re.I))


def hook_cards(repo: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "model-card", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return cards_in(proc.stdout + proc.stderr)


def all_files_cards(repo: Path) -> set[str]:
    proc = subprocess.run(
        [HF_PUBLISH, "check", "model-card", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return cards_in(proc.stdout)


def action_cards(repo: Path, tmp_path: Path) -> set[str]:
    step = gh_action(repo, tmp_path, event="pull_request", ref="refs/pull/1/merge", payload=PR_PAYLOAD)
    assert step.returncode in (0, 1), step.stdout + step.stderr
    return {
        m
        for m in re.findall(r"^::(?:error|warning) file=([^,]+),", step.stdout, re.M)
        if m.lower().endswith("readme.md")
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("card_keys", "expected"),
    [
        ("", {"models/bert/README.md"}),
        ("card:\n  paths: [docs/README.md]\n", {"models/bert/README.md", "docs/README.md"}),
        ("card:\n  exclude: ['models/**']\n", set()),
    ],
)
def test_the_hook_all_files_and_the_action_check_the_same_cards(tmp_path: Path, card_keys: str, expected: set):
    repo = project(tmp_path, card_keys)
    assert hook_cards(repo) == expected
    assert all_files_cards(repo) == expected
    assert action_cards(repo, tmp_path) == expected


def test_a_staged_project_readme_is_no_card(tmp_path: Path):
    """The commit a user makes most: an edit to the project's own README passes the model-card hook."""
    repo = project(tmp_path)
    write(repo / "README.md", PROSE + "\nMore prose.\n")
    write(repo / "docs" / "README.md", PROSE + "\nMore prose.\n")
    git(repo, "add", "-A")
    proc = subprocess.run(
        [HF_PUBLISH, "check", "model-card", "README.md", "docs/README.md"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr
    proc = subprocess.run(
        [HF_PUBLISH, "check", "model-card", "models/bert/README.md"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 1 and "models/bert/README.md:" in proc.stdout
