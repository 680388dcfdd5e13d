"""migrate --write-policy: the entry goes at the end of `repos:`, every other byte of the file kept."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hf_publish.errors import UsageError
from hf_publish.org.migrate import copy_steps, insert_repo_entry
from hf_publish.policy.load import parse_policy_text
from hf_publish.policy.model import RepoSpec

POLICY = """\
# the org's policy
organization: acme-ai   # the Hub org
repos:
  # the first model
  - name: bert-korean-sentiment-v2
    path: models/bert

    private: true   # keep it private
release:
  tag_pattern: "^v[0-9]+$"
"""


def test_entry_is_appended_to_repos_keeping_comments_and_layout():
    new = insert_repo_entry(POLICY, RepoSpec("gpt-small-v1", "model", path="."), "acme-ai")
    assert new.startswith(POLICY.split("release:")[0].rstrip("\n"))
    assert "    private: true   # keep it private\n  - name: gpt-small-v1\n" in new
    assert new.endswith('release:\n  tag_pattern: "^v[0-9]+$"\n')
    findings, data = parse_policy_text(new.encode(), "p")
    assert findings == [] and [r["name"] for r in data["repos"]] == ["bert-korean-sentiment-v2", "gpt-small-v1"]
    assert (
        new.replace("  - name: gpt-small-v1\n    path: .  # the folder that holds its files in this git repo\n", "")
        == POLICY
    )


def test_a_policy_without_repos_or_organization_gets_both():
    new = insert_repo_entry("# nothing yet\n", RepoSpec("data-v1", "dataset"), "acme-ai")
    findings, data = parse_policy_text(new.encode(), "p")
    assert findings == [] and data["organization"] == "acme-ai" and data["repos"][0]["type"] == "dataset"
    assert new.startswith("organization: acme-ai\n# nothing yet\n")


def test_refusals_name_the_next_step():
    with pytest.raises(UsageError, match="one policy file describes one organization"):
        insert_repo_entry(POLICY, RepoSpec("x-v1"), "other-org")
    with pytest.raises(UsageError, match="already in the policy"):
        insert_repo_entry(POLICY, RepoSpec("bert-korean-sentiment-v2"), "acme-ai")
    with pytest.raises(UsageError, match="not a block list"):
        insert_repo_entry("organization: acme-ai\nrepos: [{name: a-v1}]\n", RepoSpec("b-v1"), "acme-ai")


def test_copy_steps_keep_history_and_use_the_endpoint():
    steps = copy_steps("http://127.0.0.1:8123/", "alice/bert", "acme-ai/bert-v1", "dataset")
    assert steps[0].endswith("git clone --mirror http://127.0.0.1:8123/datasets/alice/bert bert.git && cd bert.git")
    assert "hf repos create acme-ai/bert-v1 --type dataset --private" in steps  # the hf CLI of huggingface_hub 2.4.0
    assert "git lfs push --all http://127.0.0.1:8123/datasets/acme-ai/bert-v1" in steps
    assert (
        "git push --force http://127.0.0.1:8123/datasets/acme-ai/bert-v1 'refs/heads/*:refs/heads/*' "
        "'refs/tags/*:refs/tags/*'" in steps
    )
    space = copy_steps("http://127.0.0.1:8123", "alice/demo", "acme-ai/demo-v1", "space", sdk="gradio")
    assert "hf repos create acme-ai/demo-v1 --type space --sdk gradio --private" in space


def _git(cwd: Path, *args: str, env: dict) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def test_the_printed_copy_keeps_every_branch_tag_and_lfs_object_and_skips_the_hubs_own_refs(tmp_path: Path):
    """The copy's git steps, run as printed against local bare repos standing in for the Hub: the
    destination refuses refs/pr/* and refs/convert/* (as the Hub does), and starts with the
    initial commit `hf repos create` makes."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    hub = tmp_path / "hub"
    work = tmp_path / "work"
    work.mkdir()
    _git(tmp_path, "init", "-q", "-b", "main", "w", env=env)
    w = tmp_path / "w"
    _git(w, "lfs", "install", "--local", env=env)
    _git(w, "lfs", "track", "*.safetensors", env=env)
    (w / "model.safetensors").write_bytes(os.urandom(3000))
    (w / "config.json").write_text("{}\n")
    _git(w, "add", ".", env=env)
    _git(w, "commit", "-qm", "first", env=env)
    (w / "config.json").write_text('{"a": 1}\n')
    _git(w, "commit", "-qam", "second", env=env)
    _git(w, "tag", "v1", env=env)
    _git(w, "switch", "-qc", "dev", env=env)
    (w / "config.json").write_text('{"a": 2}\n')
    _git(w, "commit", "-qam", "third", env=env)
    src, dst = hub / "alice" / "bert", hub / "acme-ai" / "bert-v1"
    _git(tmp_path, "clone", "-q", "--mirror", str(w), str(src), env=env)
    _git(src, "update-ref", "refs/pr/1", "dev", env=env)  # a pull request's ref, as the Hub keeps it
    _git(w, "lfs", "push", "--all", f"file://{src}", env=env)
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(dst), env=env)
    _git(tmp_path, "init", "-q", "-b", "main", "created", env=env)
    (tmp_path / "created" / ".gitattributes").write_text("*.bin filter=lfs diff=lfs merge=lfs -text\n")
    _git(tmp_path / "created", "add", ".", env=env)
    _git(tmp_path / "created", "commit", "-qm", "initial commit", env=env)
    _git(tmp_path / "created", "push", "-q", str(dst), "main", env=env)
    hook = dst / "hooks" / "pre-receive"
    hook.write_text(
        '#!/bin/sh\nwhile read old new ref; do case "$ref" in refs/pr/*|refs/convert/*) '
        'echo "refusing $ref" >&2; exit 1;; esac; done\n'
    )
    hook.chmod(0o755)

    steps = copy_steps(f"file://{hub}", "alice/bert", "acme-ai/bert-v1", "model")
    script = " && ".join(s for s in steps if s.startswith("git"))  # hf repos create: done above
    subprocess.run(["bash", "-c", script], cwd=work, env=env, check=True, capture_output=True, text=True)

    def refs(repo: Path) -> dict[str, str]:
        return dict(
            line.split()[::-1]
            for line in _git(repo, "for-each-ref", "--format=%(objectname) %(refname)", env=env).splitlines()
        )

    assert refs(dst) == {k: v for k, v in refs(src).items() if not k.startswith("refs/pr/")}
    assert _git(dst, "log", "--format=%s", "main", env=env).split() == ["second", "first"]  # history kept
    oid = _git(w, "lfs", "ls-files", "--long", env=env).split()[0]
    assert (dst / "lfs" / "objects" / oid[:2] / oid[2:4] / oid).is_file()  # the weights came along
