"""Org overview and members, the users file's org settings, the token table, move_repo and its
redirects: the real client against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError

from hf_publish.sandbox import Sandbox

USERS = {
    "orgs": {
        "big-org": {
            "fullname": "Big Org",
            "plan": "enterprise",
            "seats": 40,
            "members": {"ann": "admin", "ben": "write", "cid": "read", "dot": "contributor"},
        }
    },
    "users": {
        "ann": {"fullname": "Ann Admin", "email": "ann@big.example"},
        "ben": {"fullname": "Ben Writer", "email": "ben@big.example"},
    },
    "tokens": {
        "ann": {"user": "ann", "role": "write"},
        "ben": {"user": "ben", "role": "write"},
        "ann-read": {"user": "ann", "role": "read"},
    },
}


def test_overview_counts_what_the_caller_sees(hub_api, hub_sandbox):
    hub_sandbox.create_repo_as("alice", "acme-ai/public-model", private=False)
    hub_sandbox.create_repo_as("alice", "acme-ai/private-model", private=True)
    hub_sandbox.create_repo_as("alice", "acme-ai/data", repo_type="dataset", private=False)
    org = hub_api("alice-write").get_organization_overview("acme-ai")
    assert (org.name, org.fullname, org.num_users, org.plan) == ("acme-ai", "ACME AI", 4, "team")
    assert (org.num_models, org.num_datasets, org.num_spaces) == (2, 1, 0)
    assert hub_api(None).get_organization_overview("ACME-AI").num_models == 1
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api(None).get_organization_overview("nobody-org")
    assert exc.value.response.status_code == 404


def test_members_paged_with_roles_for_admins_only(tmp_path):
    with Sandbox(data_dir=tmp_path / "d", users=USERS, list_page_size=3) as sandbox:
        admin = HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens["ann"])
        members = list(admin.list_organization_members("big-org"))
        assert [m.username for m in members] == ["ann", "ben", "cid", "dot"]  # two pages followed
        assert [m.role for m in members] == ["admin", "write", "read", "contributor"]
        assert members[0].fullname == "Ann Admin" and members[0].user_type == "user"
        other = list(HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens["ben"]).list_organization_members("big-org"))
        assert [getattr(m, "role", None) for m in other] == [None] * 4
        assert admin.get_organization_overview("big-org").plan == "enterprise"
        assert sandbox.auth.orgs["big-org"]["seats"] == 40
        assert admin.whoami()["email"] == "ann@big.example"


def test_users_file_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="plan 'gold'"):
        Sandbox(users={"orgs": {"o": {"plan": "gold", "members": {}}}})
    with pytest.raises(ValueError, match="seats"):
        Sandbox(users={"orgs": {"o": {"seats": "many", "members": {}}}})


def test_token_table_rows(hub_sandbox):
    rows = {r.name: r for r in hub_sandbox.token_table()}
    assert rows["alice-write"][1:] == ("alice", "classic", "write", "acme-ai=admin")
    assert rows["dave-fg-org"].kind == "fine-grained" and "org:acme-ai" in rows["dave-fg-org"].scope
    assert rows["eve-fg-user"].role == "-"
    assert rows["alice-revoked"].scope == "write (revoked in acme-ai)"
    assert any(r.kind == "oidc" and "acme-ai/*" in r.scope for r in rows.values())
    assert all(hub_sandbox.tokens[n] not in " ".join(r) for n, r in rows.items() if n in hub_sandbox.tokens)


def test_move_repo_refusals_and_redirects(hub_api, hub_sandbox, tmp_path):
    admin = hub_api("alice-write")
    admin.create_repo("acme-ai/old-name", private=True)
    admin.upload_file(path_or_fileobj=b"hello", path_in_repo="hello.txt", repo_id="acme-ai/old-name")
    admin.create_repo("acme-ai/taken")
    with pytest.raises(HfHubHTTPError) as exc:
        admin.move_repo("acme-ai/old-name", "acme-ai/taken")
    assert exc.value.response.status_code == 409
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("bob-write").move_repo("acme-ai/old-name", "acme-ai/new-name")  # write role, not admin
    assert exc.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("alice-read").move_repo("acme-ai/old-name", "acme-ai/new-name")
    assert exc.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as exc:
        admin.move_repo("acme-ai/old-name", "eve/stolen")  # no rights in eve's namespace
    assert exc.value.response.status_code == 403

    admin.move_repo("acme-ai/old-name", "acme-ai/new-name")
    assert admin.model_info("acme-ai/old-name").id == "acme-ai/new-name"  # 307 followed
    assert any(r.status == 307 and r.path == "/api/models/acme-ai/old-name" for r in hub_sandbox.requests)
    path = hf_hub_download(
        "acme-ai/old-name", "hello.txt", token=hub_sandbox.tokens["alice-write"], cache_dir=tmp_path / "cache"
    )
    assert Path(path).read_bytes() == b"hello"
    admin.move_repo("acme-ai/new-name", "acme-ai/newest")
    assert admin.model_info("acme-ai/old-name").id == "acme-ai/newest"  # one hop, not a chain
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("eve-fg-user").model_info("acme-ai/old-name")  # a redirect to a private repo, still hidden
    assert exc.value.response.status_code == 404
    admin.create_repo("acme-ai/old-name")  # a new repo at the old id ends the redirect
    assert admin.model_info("acme-ai/old-name").id == "acme-ai/old-name"
