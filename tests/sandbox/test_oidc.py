"""Trusted publishing: the client's own OIDC exchange (HF_OIDC_RESOURCE + HF_OIDC_ID_TOKEN)."""

from __future__ import annotations

import httpx2
import pytest
from huggingface_hub import HfApi, get_token
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from hf_publish.sandbox import DEFAULT_OIDC_ID_TOKEN

REPO = "acme-ai/bert-korean-sentiment-v2"


def test_oidc_token_pushes_to_its_repo_only(hub_sandbox, monkeypatch, upload_lane):
    hub_sandbox.create_repo_as("alice", REPO, private=True)
    hub_sandbox.create_repo_as("alice", "acme-ai/other-model-v1", private=True)
    monkeypatch.setenv("HF_OIDC_RESOURCE", REPO)
    monkeypatch.setenv("HF_OIDC_ID_TOKEN", DEFAULT_OIDC_ID_TOKEN)
    token = get_token()
    assert token and token.startswith("hf_jwt_") and token not in hub_sandbox.tokens.values()
    (exchange,) = [r for r in hub_sandbox.requests if r.path == "/oauth/token"]
    assert exchange.method == "POST" and exchange.status == 200
    api = HfApi(endpoint=hub_sandbox.endpoint)  # no token argument: get_token() -> OIDC
    info = api.upload_file(path_or_fileobj=b"\0weights" * 100, path_in_repo="model.bin", repo_id=REPO)
    assert info.oid == hub_sandbox.head(REPO)
    api.auth_check(REPO, write=True)
    with pytest.raises(RepositoryNotFoundError):
        api.auth_check("acme-ai/other-model-v1")
    with pytest.raises(HfHubHTTPError) as exc:
        api.create_repo("acme-ai/new-model-v1")
    assert exc.value.response.status_code == 403
    assert api.whoami()["auth"]["accessToken"]["fineGrained"]["scoped"][0]["entity"]["name"] == REPO


def test_oidc_exchange_refusals(hub_sandbox):
    hub_sandbox.create_repo_as("eve", "eve/private-tests-v1")
    url = f"{hub_sandbox.endpoint}/oauth/token"
    grant = {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
    }
    r = httpx2.post(url, json={**grant, "subject_token": "forged", "resource": REPO})
    assert r.status_code == 401 and r.json()["error"] == "invalid_grant"
    r = httpx2.post(url, json={**grant, "subject_token": DEFAULT_OIDC_ID_TOKEN, "resource": "acme-ai/missing-v1"})
    assert r.status_code == 400 and "cannot create repos" in r.json()["error_description"]
    r = httpx2.post(url, json={**grant, "subject_token": DEFAULT_OIDC_ID_TOKEN, "resource": "eve/private-tests-v1"})
    assert r.status_code == 403  # no trusted publisher for eve's repo in the default users
    r = httpx2.post(url, json={**grant, "grant_type": "password"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


def test_oidc_trust_from_users_file(tmp_path):
    from hf_publish.sandbox import Sandbox

    users = tmp_path / "users.yaml"
    users.write_text(
        "users: {zoe: {fullname: Zoe}}\n"
        "tokens: {zoe-write: {user: zoe, role: write}}\n"
        "oidc:\n  - id_token: ci-shared-secret\n    repos: ['dataset:zoe/*']\n"
    )
    with Sandbox(users=users) as sb:
        assert set(sb.tokens) == {"zoe-write"} and sb.oidc_id_tokens == ["ci-shared-secret"]
        sb.create_repo_as("zoe", "zoe/reviews-v1", repo_type="dataset")
        sb.create_repo_as("zoe", "zoe/model-v1")
        grant = {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "subject_token": "ci-shared-secret",
        }
        ok = httpx2.post(f"{sb.endpoint}/oauth/token", json={**grant, "resource": "datasets/zoe/reviews-v1"})
        assert ok.status_code == 200 and ok.json()["expires_in"] == 3600
        assert httpx2.post(f"{sb.endpoint}/oauth/token", json={**grant, "resource": "zoe/model-v1"}).status_code == 403
