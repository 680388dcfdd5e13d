"""Gated repos and access requests: the real client against the sandbox."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import hf_hub_download
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError

REPO = "acme-ai/gated-model"


@pytest.fixture
def gated(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    api.create_repo(REPO, private=False)
    api.upload_file(path_or_fileobj=b"\0weights" * 1000, path_in_repo="model.bin", repo_id=REPO)
    api.upload_file(path_or_fileobj=b"{}", path_in_repo="config.json", repo_id=REPO)
    api.update_repo_settings(REPO, gated="manual")
    return api


def _download(sandbox, token_name, tmp_path, filename="config.json"):
    token = sandbox.tokens[token_name] if token_name else False
    return hf_hub_download(REPO, filename, token=token, cache_dir=tmp_path / f"cache-{token_name}")


def test_gated_downloads_need_membership_or_accepted_access(gated, hub_api, hub_sandbox, tmp_path):
    assert hub_api("alice-write").model_info(REPO).gated == "manual"
    assert hub_api(None).model_info(REPO).gated == "manual"  # the info and file list stay public
    assert "model.bin" in hub_api("eve-fg-user").list_repo_files(REPO)
    with pytest.raises(GatedRepoError) as exc:
        _download(hub_sandbox, "eve-fg-user", tmp_path)
    assert exc.value.response.status_code == 403 and "ask for access" in str(exc.value)
    with pytest.raises(GatedRepoError) as exc:
        _download(hub_sandbox, None, tmp_path, "model.bin")
    assert exc.value.response.status_code == 401
    assert Path(_download(hub_sandbox, "dave-fg-org", tmp_path, "model.bin")).read_bytes() == b"\0weights" * 1000
    assert hub_sandbox.request_access(REPO, "eve") == "pending"
    with pytest.raises(GatedRepoError):
        _download(hub_sandbox, "eve-fg-user", tmp_path)
    hub_api("alice-write").accept_access_request(REPO, "eve")
    with pytest.raises(GatedRepoError):  # a fine-grained token without "read gated repos" stays out
        _download(hub_sandbox, "eve-fg-user", tmp_path)
    hub_sandbox.auth.tokens["eve-fg-user"].can_read_gated = True
    assert Path(_download(hub_sandbox, "eve-fg-user", tmp_path, "model.bin")).read_bytes() == b"\0weights" * 1000
    hub_api("alice-write").update_repo_settings(REPO, gated=False)
    assert Path(_download(hub_sandbox, None, tmp_path)).read_bytes() == b"{}"


def test_access_request_lists_and_handling(gated, hub_api, hub_sandbox):
    admin = hub_api("alice-write")
    when = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    hub_sandbox.request_access(REPO, "eve", timestamp=when, fields={"company": "Elsewhere"})
    hub_sandbox.request_access(REPO, "carol", timestamp="2026-03-02T08:00:00.000Z")
    (eve, carol) = admin.list_pending_access_requests(REPO)
    assert (eve.username, eve.fullname, eve.email, eve.status) == (
        "eve",
        "Eve Outsider",
        "eve@elsewhere.example",
        "pending",
    )
    assert eve.timestamp == when and eve.fields == {"company": "Elsewhere"} and eve.request_id
    admin.reject_access_request(REPO, "eve", rejection_reason="not now")
    admin.accept_access_request(REPO, request_id=carol.request_id)
    assert [r.username for r in admin.list_rejected_access_requests(REPO)] == ["eve"]
    assert [r.username for r in admin.list_accepted_access_requests(REPO)] == ["carol"]
    with pytest.raises(HfHubHTTPError) as exc:
        admin.reject_access_request(REPO, "eve", rejection_reason=None)
    assert exc.value.response.status_code == 404  # already rejected
    admin.cancel_access_request(REPO, "carol")
    assert [r.username for r in admin.list_pending_access_requests(REPO)] == ["carol"]
    with pytest.raises(HfHubHTTPError) as exc:
        admin.accept_access_request(REPO, "dave")  # never asked
    assert exc.value.response.status_code == 404
    with pytest.raises(HfHubHTTPError) as exc:
        list(hub_api("alice-read").list_pending_access_requests(REPO))
    assert exc.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as exc:
        list(hub_api("dave-fg-org").list_pending_access_requests(REPO))  # read role
    assert exc.value.response.status_code == 403


def test_grant_access_refusals(gated, hub_api, hub_sandbox):
    admin = hub_api("alice-write")
    admin.grant_access(REPO, "eve")
    (granted,) = admin.list_accepted_access_requests(REPO)
    assert granted.username == "eve" and granted.email is None  # granted by hand: no email shared
    for api, user, status in (
        (admin, "eve", 400),
        (admin, "nobody-at-all", 404),
        (hub_api("alice-read"), "carol", 403),
    ):
        with pytest.raises(HfHubHTTPError) as exc:
            api.grant_access(REPO, user)
        assert exc.value.response.status_code == status
    admin.create_repo("acme-ai/open-model")
    with pytest.raises(HfHubHTTPError) as exc:
        admin.grant_access("acme-ai/open-model", "eve")
    assert exc.value.response.status_code == 400  # not gated


def test_ask_access_as_the_website_and_auto_gating(gated, hub_api, hub_sandbox, tmp_path):
    token = hub_sandbox.tokens["eve-fg-user"]
    r = httpx2.post(
        f"{hub_sandbox.endpoint}/{REPO}/ask-access",
        data={"reason": "research"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200 and r.json() == {"status": "pending"}
    (req,) = hub_api("alice-write").list_pending_access_requests(REPO)
    assert req.username == "eve" and req.fields == {"reason": "research"}
    assert httpx2.post(f"{hub_sandbox.endpoint}/{REPO}/ask-access").status_code == 401
    hub_api("alice-write").update_repo_settings(REPO, gated="auto")
    assert hub_sandbox.request_access(REPO, "eve") == "pending"  # an earlier request keeps its status
    ds = "acme-ai/auto-data"
    hub_api("alice-write").create_repo(ds, repo_type="dataset")
    hub_api("alice-write").update_repo_settings(ds, gated="auto", repo_type="dataset")
    r = httpx2.post(f"{hub_sandbox.endpoint}/datasets/{ds}/ask-access", headers={"Authorization": f"Bearer {token}"})
    assert r.json() == {"status": "accepted"}
    hub_sandbox.auth.tokens["eve-fg-user"].can_read_gated = True
    path = hf_hub_download(ds, ".gitattributes", repo_type="dataset", token=token, cache_dir=tmp_path / "c")
    assert Path(path).read_bytes().startswith(b"*.7z")


def test_visibility_setting(hub_api, hub_sandbox):
    api = hub_api("alice-write")
    api.create_repo("acme-ai/vis", private=False)
    api.update_repo_settings("acme-ai/vis", private=True)
    assert api.model_info("acme-ai/vis").private is True
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("eve-fg-user").model_info("acme-ai/vis")
    assert exc.value.response.status_code == 404
    api.update_repo_settings("acme-ai/vis", visibility="public")
    assert hub_api("eve-fg-user").model_info("acme-ai/vis").private is False
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("dave-fg-org").update_repo_settings("acme-ai/vis", gated="manual")  # read role
    assert exc.value.response.status_code == 403
