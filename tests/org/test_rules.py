"""The audit's rules on built records: every point of the issue's list, as a user reads it."""

from __future__ import annotations

from hf_publish.org.model import RepoFile
from hf_publish.policy.model import OrgException, OrgPolicy, Policy
from tests.org.records import GITATTRIBUTES, NOW, record, result_of, sample_org


def by_rule(result, repo_id):
    return {f.rule: f for f in result.findings if f.repo == repo_id}


def test_a_clean_repo_has_no_finding():
    result = result_of([record("acme/bert-sentiment-v1")])
    assert result.findings == ()


def test_naming_reports_the_pattern_and_the_forbidden_word_with_a_suggested_name():
    rules = by_rule(result_of([record("acme/Test123")]), "acme/Test123")
    assert "name-pattern" in rules and "name-forbidden-word" in rules
    assert "'test' is a forbidden name" in rules["name-forbidden-word"].message
    assert "hf repos move acme/Test123 acme/" in rules["name-pattern"].fix
    assert rules["name-pattern"].severity == "error"


def test_naming_suggests_a_conforming_name_built_from_the_old_one():
    rules = by_rule(result_of([record("acme/Sentiment_BERT")]), "acme/Sentiment_BERT")
    assert "'sentiment-bert-v1'" in rules["name-pattern"].fix
    assert "acme/sentiment-bert-v1" in rules["name-pattern"].fix


def test_a_public_repo_is_an_error_when_the_policy_says_private():
    found = by_rule(result_of([record("acme/bert-sentiment-v1", private=False)]), "acme/bert-sentiment-v1")
    assert found["visibility"].severity == "error"
    assert "is public" in found["visibility"].message
    assert "hf repos settings acme/bert-sentiment-v1 --type model --private" in found["visibility"].fix


def test_an_exception_allows_a_public_repo_and_the_gating_rule_applies_to_it():
    org = OrgPolicy(gated="manual", exceptions=(OrgException(match="*-preview-v*", visibility="public"),))
    policy = Policy(organization="acme", org=org)
    ok = record("acme/bert-preview-v1", private=False, gated="manual")
    ungated = record("acme/gpt-preview-v2", private=False)
    auto = record("acme/t5-preview-v1", private=False, gated="auto")
    result = result_of([ok, ungated, auto], policy)
    assert by_rule(result, "acme/bert-preview-v1") == {}
    assert "not gated" in by_rule(result, "acme/gpt-preview-v2")["gated"].message
    assert "gated: auto" in by_rule(result, "acme/t5-preview-v1")["gated"].message
    assert "--gated manual" in by_rule(result, "acme/t5-preview-v1")["gated"].fix


def test_an_exception_can_be_limited_to_one_repo_type():
    org = OrgPolicy(exceptions=(OrgException(match="*", type="space", visibility="public"),))
    policy = Policy(organization="acme", org=org)
    result = result_of(
        [record("acme/chat-ui-v1", "space", private=False), record("acme/chat-model-v1", private=False)], policy
    )
    assert "visibility" not in by_rule(result, "acme/chat-ui-v1")
    assert "visibility" in by_rule(result, "acme/chat-model-v1")


def test_a_repo_without_a_card_is_a_finding_and_card_rules_run_on_the_served_readme():
    result = result_of([record("acme/bert-sentiment-v1", card=None), record("acme/t5-summary-v1", card=b"# t5\n")])
    missing = by_rule(result, "acme/bert-sentiment-v1")["card-missing"]
    assert missing.file == "README.md" and missing.severity == "error"
    rules = by_rule(result, "acme/t5-summary-v1")
    assert {"required-metadata", "section-missing"} <= set(rules)


def test_card_findings_carry_the_readme_line():
    card = b"---\nlicense: apache-2.0\n---\n## Overview\nTODO\n"
    found = [f for f in result_of([record("acme/bert-sentiment-v1", card=card)]).findings if f.rule == "placeholder"]
    assert found and found[0].line == 5


def test_a_large_file_outside_lfs_is_an_error_from_the_listing_alone():
    files = (
        GITATTRIBUTES,
        RepoFile("README.md", 10, False),
        RepoFile("weights/model.bin", 4 * 10**9, False),
        RepoFile("big.safetensors", 4 * 10**9, True),
    )
    rules = by_rule(result_of([record("acme/bert-sentiment-v1", files=files)]), "acme/bert-sentiment-v1")
    large = rules["lfs-large-file"]
    assert large.file == "weights/model.bin" and "4 GB" in large.message
    assert "*.bin filter=lfs" in large.fix
    assert "lfs-pattern-not-covered" not in rules  # one finding for one file


def test_a_small_file_of_a_required_pattern_stored_in_git_means_gitattributes_did_not_cover_it():
    files = (
        GITATTRIBUTES,
        RepoFile("README.md", 10, False),
        RepoFile("tokenizer.model", 500_000, False),
        RepoFile("model.gguf", 10, False),
    )
    rules = by_rule(result_of([record("acme/bert-sentiment-v1", files=files)]), "acme/bert-sentiment-v1")
    found = [
        f
        for f in result_of([record("acme/bert-sentiment-v1", files=files)]).findings
        if f.rule == "lfs-pattern-not-covered"
    ]
    patterns = {f.message.split("required LFS pattern ")[1].split(" ")[0] for f in found}
    assert patterns == {"*.model", "*.gguf"}  # *.gguf is required where such a file exists
    assert rules["lfs-pattern-not-covered"].file == ".gitattributes"


def test_a_repo_without_gitattributes_is_a_warning():
    files = (RepoFile("README.md", 10, False), RepoFile("model.safetensors", 10**9, True))
    rules = by_rule(result_of([record("acme/bert-sentiment-v1", files=files)]), "acme/bert-sentiment-v1")
    assert rules["gitattributes-missing"].severity == "warning"


def test_no_file_metadata_is_said_not_guessed():
    rules = by_rule(result_of([record("acme/bert-sentiment-v1", files=None)]), "acme/bert-sentiment-v1")
    assert rules == {"lfs-not-listed": rules["lfs-not-listed"]}
    assert rules["lfs-not-listed"].severity == "notice"


def test_a_private_repo_not_updated_for_stale_after_days_is_stale_with_its_storage():
    org = OrgPolicy(stale_after_days=30)
    result = result_of(
        [
            record("acme/bert-sentiment-v1", days=45, storage=7 * 10**9),
            record("acme/t5-summary-v1", days=20),
            record(
                "acme/gpt-public-v1",
                days=400,
                private=False,
            ),
        ],
        Policy(
            organization="acme",
            org=OrgPolicy(stale_after_days=30, exceptions=(OrgException("gpt-public-*", visibility="public"),)),
        ),
    )
    stale = by_rule(result, "acme/bert-sentiment-v1")["stale"]
    assert "45 days" in stale.message and "7 GB" in stale.message and stale.severity == "warning"
    assert "stale" not in by_rule(result, "acme/t5-summary-v1")
    assert "stale" not in by_rule(result, "acme/gpt-public-v1")  # public repos are not counted as stale
    assert result.stale == ("model:acme/bert-sentiment-v1",)
    assert org.stale_after_days == 30


def test_activity_lists_the_repos_changed_within_since_newest_first():
    result = result_of(sample_org(), since_days=7)
    assert [r.id for r in result.activity] == ["acme/Test123", "acme/bert-sentiment-v1"]
    assert result.activity[1].last_commit.title == "Upload model.safetensors"
    assert result_of(sample_org(), since_days=0.5).activity == ()


def test_a_pattern_that_backtracks_is_one_config_finding_and_the_rest_still_runs():
    from hf_publish.policy.model import RepoNaming

    policy = Policy(organization="acme", repo_naming=RepoNaming(pattern=r"^(a|aa)+$"))
    repos = [record("acme/" + "a" * 60 + "b"), record("acme/" + "a" * 61 + "b")]
    result = result_of(repos, policy)
    config = [f for f in result.findings if f.check == "config"]
    assert len(config) == 1 and "catastrophic backtracking" in config[0].message
    assert not [f for f in result.findings if f.rule == "name-pattern"]
    assert NOW  # the records' clock


# --- LFS from storage: which repos need their file metadata read ------------------------------------


def listed(*paths: str) -> tuple[RepoFile, ...]:
    """Files as the Hub's listings give them: names, no sizes, no LFS flags."""
    return tuple(RepoFile(p, None, None) for p in paths)


def test_a_repo_too_small_to_hold_an_over_limit_file_is_judged_from_its_storage_not_read():
    from hf_publish.org.rules import needs_file_metadata

    small = record("acme/tiny-config-v1", storage=40_000, files=listed(".gitattributes", "README.md", "config.json"))
    policy = Policy(organization="acme")
    assert not needs_file_metadata(small, policy)
    result = result_of([small])
    assert result.findings == () and result.repos[0].lfs_source == "storage"
    assert result.lfs_counts() == {"read": 0, "storage": 1, "unchecked": 0}


def test_a_repo_at_the_smallest_regular_file_limit_or_naming_a_required_pattern_is_read():
    from hf_publish.org.rules import lfs_bound, needs_file_metadata

    policy = Policy(organization="acme")
    assert lfs_bound(policy) == 1_000_000  # the Hub's 1 MB for binaries, below the 10 MiB for any file
    at_limit = record("acme/a-v1", storage=1_000_000, files=listed(".gitattributes", "config.json"))
    weights = record("acme/b-v1", storage=900, files=listed(".gitattributes", "adapter.safetensors"))
    gguf = record("acme/c-v1", storage=900, files=listed(".gitattributes", "q4.gguf"))  # a presence pattern
    unknown = record("acme/d-v1", storage=None, files=listed(".gitattributes", "config.json"))
    assert all(needs_file_metadata(r, policy) for r in (at_limit, weights, gguf, unknown))
    result = result_of([at_limit, weights, gguf, unknown])
    assert {r.lfs_source for r in result.repos} == {"unchecked"}
    assert len([f for f in result.findings if f.rule == "lfs-not-listed"]) == 4


def test_a_smaller_policy_limit_lowers_the_bound():
    from hf_publish.org.rules import lfs_bound, needs_file_metadata
    from hf_publish.policy.model import LfsPolicy

    policy = Policy(organization="acme", lfs=LfsPolicy(max_text_size=300_000, max_binary_size=1_000_000))
    assert lfs_bound(policy) == 300_000
    repo = record("acme/notes-v1", storage=500_000, files=listed(".gitattributes", "notes.csv"))
    assert needs_file_metadata(repo, policy) and not needs_file_metadata(repo, Policy(organization="acme"))


def test_a_small_repo_without_gitattributes_is_still_a_warning():
    small = record("acme/tiny-config-v1", storage=100, files=listed("README.md", "config.json"))
    rules = by_rule(result_of([small]), "acme/tiny-config-v1")
    assert set(rules) == {"gitattributes-missing"}


def test_read_metadata_is_said_so():
    result = result_of(sample_org())
    assert {r.lfs_source for r in result.repos} == {"read"}


# --- gating: one rule for the audit and publish ---------------------------------------------------


def test_gated_drift_is_the_one_rule():
    from hf_publish.policy.model import gated_drift

    assert gated_drift(None, "manual") is None and gated_drift("off", False) is None
    assert gated_drift("manual", "manual") is None and gated_drift(False, None) is None
    assert gated_drift("any", "auto") is None and gated_drift(True, "manual") is None
    drift = gated_drift("any", False)
    assert drift is not None and drift.target == "manual"
    assert drift.describe() == "gated: False on the Hub, the policy says gated (auto or manual)"
    drift = gated_drift(False, "auto")
    assert drift is not None and drift.target is False
    assert drift.describe() == "gated: auto on the Hub, the policy says False"
    drift = gated_drift("auto", "manual")
    assert drift is not None and drift.target == "auto"


def test_a_repo_the_policy_publishes_follows_its_gated_even_when_private():
    from hf_publish.policy.model import RepoSpec

    policy = Policy(
        organization="acme",
        gated="manual",
        repos=(RepoSpec(name="bert-sentiment-v1"), RepoSpec(name="bert-open-v1", gated=False)),
    )
    repos = [record("acme/bert-sentiment-v1"), record("acme/bert-open-v1", gated="auto"), record("acme/other-v1")]
    result = result_of(repos, policy)
    managed = by_rule(result, "acme/bert-sentiment-v1")["gated"]
    assert managed.message == "is private and not gated: gated: False on the Hub, the policy says manual (gated)"
    assert "--gated manual" in managed.fix and "publish" in managed.fix
    opened = by_rule(result, "acme/bert-open-v1")["gated"]
    assert "gated: auto on the Hub, the policy says False (repos[].gated)" in opened.message
    assert "--gated false" in opened.fix
    assert "gated" not in by_rule(result, "acme/other-v1")  # not published by this policy; private: org.gated skips it
