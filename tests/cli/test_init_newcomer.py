"""`hf-publish init` on the user's path (real git, the CLI as a subprocess): a repo that already has
a model folder gets it as `path:` with the card there; the organization comes from a Hub remote or
must be given; --force names what it replaces and keeps a backup; the YAML comments line up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from hf_publish.policy.load import load_policy
from tests.helpers import git, init_repo, write

HF_PUBLISH = str(Path(sys.executable).with_name("hf-publish"))


def init(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HF_ENDPOINT"))}
    return subprocess.run([HF_PUBLISH, "init", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=120)


def project_with_a_model_folder(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "kor-sentiment", lfs=False)
    write(repo / "README.md", "# Our project\n\nThe team's own README: not a card.\n")
    write(repo / "train.py", "print('train')\n")
    write(repo / "models" / "bert-ko" / "config.json", "{}\n")
    write(repo / "models" / "bert-ko" / "model.safetensors", b"\0" * 64)
    write(repo / "models" / "bert-ko" / "onnx" / "model.onnx", b"\0" * 64)  # inside the same model folder
    git(repo, "add", "-A")
    return repo


def test_init_finds_the_model_folder_and_writes_its_card_there(tmp_path: Path):
    repo = project_with_a_model_folder(tmp_path)
    proc = init(repo, "--organization", "acme-ai")
    assert proc.returncode == 0, proc.stderr
    assert "found a model folder: models/bert-ko/ (config.json, model.safetensors)" in proc.stdout
    policy = load_policy(repo / ".hf-publish.yaml")
    [spec] = policy.repos
    assert (spec.path, spec.name) == ("models/bert-ko", "bert-ko-v1")
    assert (repo / "models" / "bert-ko" / "README.md").exists()
    assert (repo / "README.md").read_text().startswith("# Our project")  # the project's README untouched
    assert "wrote models/bert-ko/README.md" in proc.stdout


def test_two_model_folders_ask_which_one(tmp_path: Path):
    repo = project_with_a_model_folder(tmp_path)
    write(repo / "models" / "t5-ko" / "pytorch_model.bin", b"\0" * 64)
    proc = init(repo, "--organization", "acme-ai")
    assert proc.returncode == 2
    assert "found 2 model folders (models/bert-ko/, models/t5-ko/)" in proc.stderr and "--path DIR" in proc.stderr
    assert not (repo / ".hf-publish.yaml").exists()


def test_the_organization_comes_from_a_hub_remote_or_is_asked_for(tmp_path: Path):
    repo = project_with_a_model_folder(tmp_path)
    proc = init(repo)
    assert proc.returncode == 2 and "no Hub organization given" in proc.stderr
    assert "hf-publish init --organization ORG" in proc.stderr and "acme-ai" not in proc.stderr
    assert not (repo / ".hf-publish.yaml").exists()
    git(repo, "remote", "add", "github", "git@github.com:someone/kor-sentiment.git")  # not the Hub: no org from it
    assert init(repo).returncode == 2
    git(repo, "remote", "add", "origin", "https://huggingface.co/kor-nlp/bert-ko-v1")
    proc = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert "organization: kor-nlp (from git remote origin)" in proc.stdout
    assert load_policy(repo / ".hf-publish.yaml").organization == "kor-nlp"


def test_force_names_what_it_replaces_and_keeps_a_backup(tmp_path: Path):
    repo = project_with_a_model_folder(tmp_path)
    card = "---\nlicense: mit\n---\n# bert-ko\n\nOur real card, written by hand.\n"
    write(repo / "models" / "bert-ko" / "README.md", card)
    proc = init(repo, "--organization", "acme-ai")
    assert proc.returncode == 2 and "models/bert-ko/README.md already exist" in proc.stderr
    assert "--force" in proc.stderr and ".bak" in proc.stderr
    assert (repo / "models" / "bert-ko" / "README.md").read_text() == card
    proc = init(repo, "--organization", "acme-ai", "--force")
    assert proc.returncode == 0, proc.stderr
    assert "replaced models/bert-ko/README.md (your file is kept as models/bert-ko/README.md.bak)" in proc.stdout
    assert (repo / "models" / "bert-ko" / "README.md.bak").read_text() == card
    proc = init(repo, "--organization", "acme-ai", "--force")  # again: the generated files are unchanged
    assert proc.returncode == 0 and "replaced" not in proc.stdout
    assert not (repo / "models" / "bert-ko" / "README.md.bak.2").exists()


def test_generated_yaml_comments_line_up_whatever_the_values(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    proc = init(
        repo, "--organization", "a-rather-long-organization-name", "--name", "x-v1", "--path", "m", "--type", "space"
    )
    assert proc.returncode == 0, proc.stderr
    text = (repo / ".hf-publish.yaml").read_text()
    for block in text.split("\n\n"):
        columns = {
            m.start(1)
            for line in block.splitlines()
            if not line.lstrip().startswith("#") and (m := re.search(r"\S\s{2,}(#)", line)) and m.start(1) < 62
        }
        assert len(columns) <= 1, block
    repos_block = next(b for b in text.split("\n\n") if b.startswith("repos:"))
    assert len({line.index("#") for line in repos_block.splitlines()}) == 1, repos_block
