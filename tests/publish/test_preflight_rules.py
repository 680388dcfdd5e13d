"""The preflight rules as pure functions: whoami shapes the sandbox does not produce, and plain words."""

from __future__ import annotations

from hf_publish.publishing.preflight import Target, decode_whoami, judge

REPO = "acme-ai/bert-korean-sentiment-v2"


def whoami(role="fineGrained", scoped=(), orgs=(("acme-ai", "write"),), name="alice", restrictions=None):
    data = {
        "type": "user",
        "name": name,
        "orgs": [],
        "auth": {"type": "access_token", "accessToken": {"displayName": "ci", "role": role}},
    }
    for org, org_role in orgs:
        entry = {"type": "org", "name": org, "roleInOrg": org_role}
        if restrictions and org in restrictions:
            entry["securityRestrictions"] = restrictions[org]
        data["orgs"].append(entry)
    if role == "fineGrained":
        data["auth"]["accessToken"]["fineGrained"] = {
            "scoped": [
                {"entity": {"type": kind, "name": entity}, "permissions": list(perms)} for kind, entity, perms in scoped
            ]
        }
    return data


ORG_WRITE = (("org", "acme-ai", ("repo.write", "repo.content.read")),)


def test_unknown_permission_strings_are_tolerated_and_grant_nothing():
    info = decode_whoami(whoami(scoped=(("org", "acme-ai", ("repo.contributor", "inference.serverless.write")),)))
    verdict = judge(info, Target(REPO, exists=False))
    assert not verdict.ok and not verdict.may_create
    assert "no repo.write on org acme-ai" in verdict.message()


def test_org_names_compare_case_insensitively():
    info = decode_whoami(whoami(scoped=(("org", "ACME-AI", ("repo.write",)),), orgs=(("Acme-AI", "admin"),)))
    assert judge(info, Target(REPO, exists=False)).ok


def test_own_namespace_needs_a_user_scope_not_an_org_scope():
    info = decode_whoami(whoami(scoped=(("user", "alice", ("repo.write",)),)))
    verdict = judge(info, Target("alice/bert-korean-sentiment-v2", exists=False))
    assert verdict.ok and verdict.role == "owner"
    verdict = judge(decode_whoami(whoami(scoped=ORG_WRITE)), Target("alice/bert-korean-sentiment-v2", exists=False))
    assert "create a fine-grained token with repo.write on user alice" in verdict.message()


def test_token_policy_restriction_is_reported_with_its_fix():
    info = decode_whoami(whoami(scoped=ORG_WRITE, restrictions={"acme-ai": ["token-revoked"]}))
    verdict = judge(info, Target(REPO, exists=True, write_check=False))
    assert [p.reason for p in verdict.problems][0].startswith("the org acme-ai has revoked this token")


def test_repo_scoped_token_may_push_but_not_create():
    info = decode_whoami(whoami(scoped=(("model", REPO, ("repo.write",)),)))
    assert judge(info, Target(REPO, exists=True)).may_push
    assert not judge(info, Target(REPO, exists=False)).may_create
    assert not judge(info, Target("acme-ai/other-model-v1", exists=True)).ok


def test_the_hub_auth_check_is_authoritative_for_an_existing_repo():
    info = decode_whoami(whoami(scoped=ORG_WRITE))
    verdict = judge(info, Target(REPO, exists=True, write_check=False, write_check_message="no"))
    assert not verdict.ok and "the Hub refuses writes" in verdict.message()


def test_a_pull_request_needs_only_read_access():
    info = decode_whoami(whoami(role="read"))
    assert judge(info, Target(REPO, exists=True, write_check=False, create_pr=True)).ok
    assert not judge(info, Target(REPO, exists=True, write_check=False)).ok


def test_classic_write_token_only_refused_under_the_policy():
    info = decode_whoami(whoami(role="write", orgs=(("acme-ai", "admin"),)))
    assert not judge(info, Target(REPO, exists=False)).ok
    assert judge(info, Target(REPO, exists=False), require_fine_grained=False).ok


def test_oidc_token_cannot_create_and_says_so():
    info = decode_whoami(
        whoami(scoped=(("model", REPO, ("repo.write", "repo.content.read")),), orgs=(), name="trusted-publisher"),
        source="Trusted Publishing (OIDC)",
        oidc=True,
    )
    assert judge(info, Target(REPO, exists=True, write_check=True)).ok
    verdict = judge(info, Target(REPO, exists=False))
    assert "Trusted Publishing (OIDC) tokens cannot create repos" in verdict.message()
    assert "create acme-ai/bert-korean-sentiment-v2 once with a fine-grained token" in verdict.message()


def test_verdict_in_plain_words():
    info = decode_whoami(whoami(scoped=ORG_WRITE, orgs=(("acme-ai", "contributor"),)), source="HF_TOKEN")
    lines = judge(info, Target(REPO, exists=False)).lines()
    assert lines == [
        'token: fine-grained token "ci" of alice (from HF_TOKEN)',
        "scope: repo.content.read, repo.write on org acme-ai",
        "role in acme-ai: contributor",
        "acme-ai/bert-korean-sentiment-v2: does not exist; may create it: yes",
    ]
