"""list_models / list_datasets / list_spaces, repo info with expand and files metadata, list_user_repos:
the real client against the sandbox."""

from __future__ import annotations

import time

import pytest
from huggingface_hub import CommitOperationAdd, HfApi
from huggingface_hub.errors import BadRequestError, HfHubHTTPError

from hf_publish.sandbox import Sandbox


def _api(sandbox: Sandbox, token: str | None) -> HfApi:
    return HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens[token] if token else False)


@pytest.fixture
def paged_sandbox(tmp_path):
    """A sandbox whose listings page by 3, with 7 acme-ai models (2 private), 1 of eve's, 2 datasets."""
    with Sandbox(data_dir=tmp_path / "data", list_page_size=3) as sandbox:
        for i in range(7):
            sandbox.create_repo_as("alice", f"acme-ai/model-{i}", private=i in (2, 5))
            time.sleep(0.002)  # distinct createdAt
        sandbox.create_repo_as("eve", "eve/own-model", private=False)
        sandbox.create_repo_as("alice", "acme-ai/data-a", repo_type="dataset", private=False)
        sandbox.create_repo_as("alice", "acme-ai/data-b", repo_type="dataset", private=True)
        yield sandbox


def test_list_models_by_author_pages_with_link_next_and_hides_private_repos(paged_sandbox):
    names = [m.id for m in _api(paged_sandbox, None).list_models(author="acme-ai")]
    assert names == [f"acme-ai/model-{i}" for i in (0, 1, 3, 4, 6)]
    paged_sandbox.clear_log()
    names = [m.id for m in _api(paged_sandbox, "dave-fg-org").list_models(author="acme-ai")]
    assert names == [f"acme-ai/model-{i}" for i in range(7)]  # a member's token reads the private ones
    pages = [r for r in paged_sandbox.requests if r.path == "/api/models"]
    assert len(pages) == 3 and all(r.status == 200 for r in pages)
    assert [m.id for m in _api(paged_sandbox, "eve-fg-user").list_models(author="acme-ai")] == [
        f"acme-ai/model-{i}" for i in (0, 1, 3, 4, 6)
    ]
    assert [m.id for m in _api(paged_sandbox, "dave-fg-org").list_models(author="eve")] == ["eve/own-model"]


def test_list_sort_search_limit_and_default_fields(paged_sandbox):
    api = _api(paged_sandbox, "alice-write")
    newest = [m.id for m in api.list_models(author="acme-ai", sort="created_at")]
    assert newest == [f"acme-ai/model-{i}" for i in reversed(range(7))]
    assert [m.id for m in api.list_models(author="acme-ai", sort="created_at", limit=2)] == [
        "acme-ai/model-6",
        "acme-ai/model-5",
    ]
    assert [m.id for m in api.list_models(search="MODEL-3")] == ["acme-ai/model-3"]
    assert next(m.id for m in api.list_models(author="acme-ai", sort="id")) == "acme-ai/model-6"
    (item,) = api.list_models(search="model-3")
    assert item.private is False and item.created_at is not None and item.downloads == 0
    assert item.siblings is None and item.last_modified is None  # not a default listing field
    (full,) = api.list_models(search="model-3", full=True)
    assert full.sha and full.last_modified and [s.rfilename for s in full.siblings] == [".gitattributes"]
    assert [d.id for d in api.list_datasets(author="acme-ai")] == ["acme-ai/data-a", "acme-ai/data-b"]
    assert [d.id for d in _api(paged_sandbox, None).list_datasets(author="acme-ai")] == ["acme-ai/data-a"]
    assert list(api.list_spaces(author="acme-ai")) == []


def test_list_expand_returns_only_the_asked_properties(paged_sandbox):
    api = _api(paged_sandbox, "alice-write")
    api.update_repo_settings("acme-ai/model-1", gated="manual")
    items = {
        m.id: m
        for m in api.list_models(
            author="acme-ai", expand=["gated", "private", "lastModified", "sha", "usedStorage", "siblings", "cardData"]
        )
    }
    one = items["acme-ai/model-1"]
    assert one.gated == "manual" and one.private is False and one.sha and one.last_modified
    assert one.used_storage > 0 and [s.rfilename for s in one.siblings] == [".gitattributes"]
    assert one.downloads is None and one.likes is None  # not asked for
    assert items["acme-ai/model-0"].gated is False
    with pytest.raises(BadRequestError, match="expand"):
        list(api.list_models(expand=["nonsense"]))
    r = api.list_models(sort="popularity")
    with pytest.raises(HfHubHTTPError) as exc:
        list(r)
    assert exc.value.response.status_code == 400


def test_repo_info_expand_and_files_metadata_both_lanes(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    repo = "acme-ai/info-repo"
    api.create_repo(repo)
    api.create_commit(
        repo,
        commit_message="files",
        operations=[
            CommitOperationAdd("README.md", b"---\nlicense: mit\ntags: [sandbox]\n---\n# Card\n"),
            CommitOperationAdd("weights.bin", b"\0" * 4096 + b"weights"),
        ],
    )
    info = api.model_info(repo, files_metadata=True)
    by_name = {s.rfilename: s for s in info.siblings}
    assert by_name["README.md"].size == len(b"---\nlicense: mit\ntags: [sandbox]\n---\n# Card\n")
    assert by_name["README.md"].blob_id and by_name["README.md"].lfs is None
    weights = by_name["weights.bin"]
    assert weights.size == 4103 and weights.lfs is not None and weights.lfs.size == 4103
    assert len(weights.lfs.sha256) == 64 and weights.lfs.pointer_size > 0
    assert info.card_data.license == "mit" and info.tags == ["sandbox"]
    if upload_lane == "xet":
        tree = {f.path: f for f in api.list_repo_tree(repo)}
        assert tree["weights.bin"].xet_hash  # a xet file has its LFS metadata in the siblings too
    small = api.model_info(repo, expand=["gated", "createdAt", "cardData"])
    assert small.gated is False and small.created_at and small.card_data.license == "mit"
    assert small.siblings is None and small.sha is None
    ds = "acme-ai/info-data"
    api.create_repo(ds, repo_type="dataset", private=True)
    assert api.dataset_info(ds, expand=["private", "usedStorage"]).private is True
    with pytest.raises(BadRequestError):
        api.dataset_info(ds, expand=["safetensors"])  # a model-only property


def test_list_user_repos_for_an_org_and_for_oneself(paged_sandbox):
    api = _api(paged_sandbox, "alice-write")
    api.upload_file(path_or_fileobj=b"x" * 5000, path_in_repo="big.txt", repo_id="acme-ai/model-4")
    rows = list(api.list_user_repos(namespace="acme-ai"))
    assert len(rows) == 9 and rows[0].id == "acme-ai/model-4"  # the biggest first, every page followed
    assert {r.type for r in rows} == {"model", "dataset"}
    assert {r.id: r.visibility for r in rows}["acme-ai/model-2"] == "private"
    assert abs(sum(r.storage_percent for r in rows) - 100) < 0.1 and rows[0].updated_at is not None
    assert [r.id for r in _api(paged_sandbox, "eve-fg-user").list_user_repos()] == ["eve/own-model"]
    with pytest.raises(HfHubHTTPError) as exc:
        list(_api(paged_sandbox, "eve-fg-user").list_user_repos(namespace="acme-ai"))
    assert exc.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as exc:
        list(api.list_user_repos(namespace="no-such-org"))
    assert exc.value.response.status_code == 404
