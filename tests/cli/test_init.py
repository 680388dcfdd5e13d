from __future__ import annotations

from pathlib import Path

from hf_publish.cli import main
from hf_publish.policy.load import load_policy
from hf_publish.policy.model import DEFAULT_LFS_PATTERNS
from tests.helpers import git, init_repo


def test_init_scaffolds_a_valid_policy_lfs_rules_and_a_card(tmp_path: Path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "Sentiment_Model", lfs=False)
    monkeypatch.chdir(repo)
    assert main(["init", "--org", "acme-ai"]) == 0
    policy = load_policy(repo / ".hf-publish.yaml")
    assert policy.organization == "acme-ai"
    assert [r.name for r in policy.repos] == ["sentiment-model-v1"]
    attrs = git(repo, "check-attr", "filter", "--", "model.safetensors", "saved_model/a/b")
    assert attrs.count("filter: lfs") == 2  # the Hub's own list, as the Hub writes it for a new repo
    assert len((repo / ".gitattributes").read_text().splitlines()) == len(DEFAULT_LFS_PATTERNS)
    card = (repo / "README.md").read_text()
    assert 'AutoModel.from_pretrained("acme-ai/sentiment-model-v1")' in card
    # The policy passes its own checks; the card's TODOs are what the author fills in next.
    assert main(["check", "config", "repo-name", ".hf-publish.yaml"]) == 0


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r", lfs=False)
    (repo / ".gitattributes").write_text("*.txt text\n")
    monkeypatch.chdir(repo)
    assert main(["init", "--org", "acme-ai"]) == 2
    assert "already exist" in capsys.readouterr().err
    assert not (repo / ".hf-publish.yaml").exists()
    assert (repo / ".gitattributes").read_text() == "*.txt text\n"
    assert (
        main(["init", "--org", "acme-ai", "--force", "--name", "bert-korean-sentiment-v2", "--path", "models/bert"])
        == 0
    )
    assert (repo / ".gitattributes.bak").read_text() == "*.txt text\n"  # the replaced file is kept
    assert (repo / "models/bert/README.md").exists()
    assert load_policy(repo / ".hf-publish.yaml").repos[0].path == "models/bert"
    git(repo, "add", ".gitattributes", ".hf-publish.yaml")
    assert main(["check", "lfs", "config", "repo-name"]) == 0, capsys.readouterr().out


def test_init_outside_git_and_bad_values(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 2
    assert "git init" in capsys.readouterr().err
    repo = init_repo(tmp_path / "r", lfs=False)
    monkeypatch.chdir(repo)
    assert main(["init", "--org", "acme-ai", "--path", "../elsewhere"]) == 2
    assert main(["init", "--org", "bad org!"]) == 2
    assert not (repo / ".hf-publish.yaml").exists()
