"""Token preflight against the sandbox: refusals happen before any upload, with the exact fix."""

from __future__ import annotations

import pytest

from hf_publish.errors import EXIT_HUB, AuthError
from hf_publish.sandbox import DEFAULT_OIDC_ID_TOKEN
from tests.publish.helpers import REPO, write_requests

REFUSALS = [
    # (token, repo exists (created by alice), expected words in the message)
    (
        "alice-read",
        True,
        ["read token cannot create or push", "create a fine-grained token with repo.write on org acme-ai"],
    ),
    (
        "alice-fg-read",
        True,
        ["no repo.write on org acme-ai", "create a fine-grained token with repo.write on org acme-ai"],
    ),
    (
        "eve-fg-user",
        False,
        [
            "eve has no role in acme-ai (an org eve is not a member of, or another user's namespace)",
            "if acme-ai is an org, ask an admin of acme-ai to add eve with the contributor role",
        ],
    ),
    (
        "carol-fg-org",
        True,
        ["contributors may push only to repos they created", "ask an admin of acme-ai for the write role"],
    ),
    (
        "alice-write",
        True,
        [
            "auth.require_fine_grained",
            "whole account's power",
            "create a fine-grained token with repo.write on org acme-ai",
        ],
    ),
    (
        "dave-fg-org",
        False,
        ["the role read in acme-ai cannot create repos", "ask an admin of acme-ai for the contributor role"],
    ),
    (
        "alice-fg-repo",
        False,
        [
            "cannot create acme-ai/bert-korean-sentiment-v2",
            "create a fine-grained token with repo.write on org acme-ai",
        ],
    ),
    ("alice-revoked", True, ["revoked this token"]),
]


@pytest.mark.parametrize("token_name,exists,words", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_token_refused_before_any_upload_with_the_fix(
    token_name, exists, words, publish_with, checkout, hub_sandbox, upload_lane
):
    if exists:
        hub_sandbox.create_repo_as("alice", REPO)
    hub_sandbox.clear_log()

    with pytest.raises(AuthError) as caught:
        publish_with(token_name, checkout)

    message = str(caught.value)
    for word in words:
        assert word in message
    assert caught.value.exit_code == EXIT_HUB
    assert write_requests(hub_sandbox) == []
    assert hub_sandbox.tokens[token_name] not in message


@pytest.mark.parametrize(
    "token_name,create_first",
    [
        ("carol-fg-org", False),  # a contributor creates the repo, then may push to what it created
        ("bob-fg-org", True),  # write role: any org repo
        ("alice-fg-repo", True),  # scoped to this one existing repo
    ],
)
def test_tokens_with_the_right_scope_and_role_publish(token_name, create_first, publish_with, checkout, hub_sandbox):
    if create_first:
        hub_sandbox.create_repo_as("alice", REPO)
    result = publish_with(token_name, checkout).results[0]
    assert result.changed and result.commit_sha == hub_sandbox.head(REPO)
    checkout.write("config.json", "{}\n")
    assert publish_with(token_name, checkout).results[0].changed


def test_classic_write_token_is_accepted_when_the_policy_allows_it(publish_with, checkout):
    policy = (checkout.path / ".hf-publish.yaml").read_text()
    checkout.write(".hf-publish.yaml", policy + "auth:\n  require_fine_grained: false\n")
    checkout.commit("allow classic tokens")
    assert publish_with("alice-write", checkout).results[0].created


def test_expired_token_is_rejected_at_whoami(publish_with, checkout, hub_sandbox):
    with pytest.raises(AuthError, match="rejected the token .*Next: create a new token"):
        publish_with("expired", checkout)
    assert [r.path for r in hub_sandbox.requests] == ["/api/whoami-v2"]


def test_oidc_trusted_publisher_pushes_to_its_existing_repo(checkout, hub_sandbox, monkeypatch, upload_lane):
    from hf_publish.publishing.run import publish

    hub_sandbox.create_repo_as("alice", REPO)
    monkeypatch.setenv("HF_OIDC_RESOURCE", REPO)
    monkeypatch.setenv("HF_OIDC_ID_TOKEN", DEFAULT_OIDC_ID_TOKEN)
    lines: list[str] = []

    result = publish(
        checkout.path, endpoint=hub_sandbox.endpoint, env={"HF_OIDC_RESOURCE": REPO}, log=lines.append
    ).results[0]

    assert result.changed and result.commit_sha == hub_sandbox.head(REPO)
    assert any("Trusted Publishing (OIDC)" in line for line in lines)


def test_oidc_cannot_create_a_missing_repo(checkout, hub_sandbox, monkeypatch):
    from hf_publish.publishing.run import publish

    monkeypatch.setenv("HF_OIDC_RESOURCE", REPO)
    monkeypatch.setenv("HF_OIDC_ID_TOKEN", DEFAULT_OIDC_ID_TOKEN)
    with pytest.raises(AuthError, match="cannot create repos"):
        publish(checkout.path, endpoint=hub_sandbox.endpoint, env={"HF_OIDC_RESOURCE": REPO}, log=lambda _: None)
    assert write_requests(hub_sandbox) == []


def test_dry_run_with_a_read_only_token_plans_and_writes_nothing(publish_with, checkout, hub_sandbox, upload_lane):
    checkout.write("notes.md", "notes\n")
    publish_with("alice-fg-org", checkout)
    checkout.write("config.json", '{"next": 1}\n')
    checkout.remove("notes.md")
    hub_sandbox.clear_log()
    lines: list[str] = []

    result = publish_with("alice-read", checkout, dry_run=True, log=lines.append).results[0]

    assert result.dry_run and result.changed and result.commit_sha is None
    assert result.plan.to_dict()["update"] == ["config.json"] and result.plan.to_dict()["delete"] == ["notes.md"]
    assert write_requests(hub_sandbox) == []
    assert any("a real publish would be refused" in line for line in lines)


def test_dry_run_without_a_token_plans_against_an_empty_remote_offline(checkout, hub_sandbox):
    from hf_publish.publishing.run import publish

    lines: list[str] = []
    result = publish(checkout.path, dry_run=True, endpoint=hub_sandbox.endpoint, env={}, log=lines.append).results[0]

    assert result.dry_run and result.plan.empty_remote
    assert sorted(result.plan.to_dict()["add"]) == [".gitattributes", "README.md", "config.json", "model.safetensors"]
    assert any("empty remote" in note for note in result.notes)
    assert hub_sandbox.requests == []  # no network at all
