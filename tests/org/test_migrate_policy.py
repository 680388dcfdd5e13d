"""migrate --write-policy: the entry goes at the end of `repos:`, every other byte of the file kept."""

from __future__ import annotations

import pytest

from hf_publish.errors import UsageError
from hf_publish.org.migrate import copy_steps, insert_repo_entry
from hf_publish.policy.model import RepoSpec
from hf_publish.policy.load import parse_policy_text

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
    assert new.replace("  - name: gpt-small-v1\n    path: .  # the folder that holds its files in this git repo\n",
                       "") == POLICY


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
    assert "git push --mirror http://127.0.0.1:8123/datasets/acme-ai/bert-v1" in steps[3]
