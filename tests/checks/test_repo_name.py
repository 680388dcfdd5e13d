from __future__ import annotations

import pytest

from hf_publish.checks.repo_name import check_repo_names, forbidden_word, suggest_name
from hf_publish.policy.model import Policy, RepoNaming, RepoSpec


def findings_for(*names: str, organization: str | None = "acme-ai", naming: RepoNaming = RepoNaming()):
    policy = Policy(
        organization=organization,
        repo_naming=naming,
        repos=tuple(RepoSpec(name=n, line=i + 3) for i, n in enumerate(names)),
    )
    return check_repo_names(policy, ".hf-publish.yaml")


@pytest.mark.parametrize("name", ["bert-korean-sentiment-v2", "llama-finance-instruct-v1", "resnet50-imagenet-v10"])
def test_conforming_names_pass(name):
    assert findings_for(name) == []


@pytest.mark.parametrize(
    ("name", "word"),
    [("test123", "test"), ("my-org", "my-org"), ("temp-team-v1", "temp"), ("bert-tmp-v1", "tmp"), ("demo-v2", "demo")],
)
def test_generic_names_are_refused(name, word):
    messages = [f.message for f in findings_for(name)]
    assert any(f"'{word}' is a forbidden name" in m for m in messages), messages


def test_words_inside_other_words_are_not_forbidden():
    assert forbidden_word("contest-ranker-v1", ("test",)) is None
    assert forbidden_word("attempt-v1", ("temp",)) is None


def test_invalid_hub_id_uses_the_hub_rule_and_proposes_a_name():
    [invalid, pattern] = findings_for("Bert--Korean_Sentiment")
    assert "is not a valid Hub repo id" in invalid.message and "--" in invalid.message
    assert invalid.line == 3 and invalid.path == ".hf-publish.yaml"
    assert "bert-korean-sentiment-v1" in pattern.fix


def test_too_long_for_the_hub():
    name = "a" * 95 + "-v1"
    assert any("not a valid Hub repo id" in f.message for f in findings_for(name))


def test_custom_pattern_and_missing_organization():
    naming = RepoNaming(pattern=r"nlp-[a-z-]+", forbidden=())
    assert findings_for("nlp-sentiment", naming=naming) == []
    [finding] = findings_for("nlp-sentiment", organization=None, naming=naming)
    assert "no organization" in finding.message


def test_suggestions_conform():
    naming = RepoNaming()
    assert suggest_name("My_Model", naming) == "my-model-v1"
    assert suggest_name("test-bert-v3", naming) == "bert-v3"
    assert suggest_name("test123", naming) == "project-model-type-v1"
