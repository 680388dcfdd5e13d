"""The sandbox answers as the Hub does where huggingface_hub's own tests look (issue 11).

Assertions ported from huggingface_hub 2.4.0's test suite (test_hf_api.py, test_file_download.py,
test_repocard.py), rewritten for the sandbox fixtures, plus variants those tests do not spell out.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationDelete,
    RepoCard,
    SpaceCard,
    hf_hub_download,
    metadata_update,
)
from huggingface_hub.errors import (
    BadRequestError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

REPO = "acme-ai/bert-korean-sentiment-v2"


def _raw(hub_sandbox, method: str, path: str, token: str | None = "alice-write", **kwargs) -> httpx2.Response:
    headers = {"authorization": f"Bearer {hub_sandbox.tokens[token]}"} if token else {}
    return httpx2.request(
        method, f"{hub_sandbox.endpoint}{path}", headers={**headers, **kwargs.pop("headers", {})}, **kwargs
    )


def _commit_raw(hub_sandbox, lines: list[dict], repo: str = REPO, rev: str = "main", token: str = "alice-write"):
    body = "\n".join(json.dumps(x) for x in [{"key": "header", "value": {"summary": "s", "description": ""}}, *lines])
    return _raw(
        hub_sandbox,
        "POST",
        f"/api/models/{repo}/commit/{rev}",
        token,
        content=body,
        headers={"content-type": "application/x-ndjson"},
    )


# -- 11.1 one-segment repo ids ------------------------------------------------------------------
def test_exists_helpers_answer_false_for_missing_private_and_canonical_repos(hub_api, hub_sandbox):
    api = hub_api("alice-write")
    api.create_repo(REPO, private=True)
    api.upload_file(path_or_fileobj=b"content", path_in_repo="file.txt", repo_id=REPO)
    anonymous = hub_api(None)
    assert api.repo_exists(REPO) and not anonymous.repo_exists(REPO)
    assert api.revision_exists(REPO, "main") and not api.revision_exists(REPO, "revision-that-does-not-exist")
    assert not anonymous.revision_exists(REPO, "main")
    assert api.file_exists(REPO, "file.txt") and not api.file_exists(REPO, "file-does-not-exist")
    assert not api.file_exists(REPO, "file.txt", revision="revision-that-does-not-exist")
    assert not anonymous.file_exists(REPO, "file.txt")
    for missing in ("repo-that-does-not-exist", "gpt2", "acme-ai/missing-v1"):
        for client in (api, anonymous):
            assert not client.repo_exists(missing)
            assert not client.revision_exists(missing, "main")
            assert not client.file_exists(missing, "file.txt")
        assert not api.repo_exists(missing, repo_type="dataset") and not api.repo_exists(missing, repo_type="space")
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_commits("missing_repo_id")
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_refs("gpt2")
    with pytest.raises(RepositoryNotFoundError):
        list(api.list_repo_tree("gpt2", path_in_repo="sub"))


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/models/gpt2"),
        ("GET", "/api/models/gpt2/revision/main"),
        ("GET", "/api/models/gpt2/commits/main"),
        ("GET", "/api/models/gpt2/tree/main/sub/dir"),
        ("GET", "/api/models/gpt2/refs"),
        ("GET", "/api/models/gpt2/auth-check"),
        ("POST", "/api/models/gpt2/paths-info/main"),
        ("HEAD", "/gpt2/resolve/main/config.json"),
        ("GET", "/gpt2/resolve/main/sub/x.bin"),
        ("GET", "/api/datasets/squad"),
        ("HEAD", "/datasets/squad/resolve/main/x"),
        ("GET", "/api/spaces/demo/tree/main"),
    ],
)
def test_one_segment_ids_are_routed_and_not_found(hub_sandbox, method, path):
    for token, status in (("alice-write", 404), (None, 401)):
        r = _raw(hub_sandbox, method, path, token)
        assert r.status_code == status, (path, token, r.status_code)
        assert r.headers["X-Error-Code"] == "RepoNotFound"


# -- 11.3 paths the Hub stores and refuses -------------------------------------------------------
def test_backslash_paths_are_stored_and_download_safely(hub_api, hub_sandbox, upload_lane, tmp_path):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    odd = "folder/..\\..\\..\\file"
    for path, data in ((odd, b"content"), ("a/..\\b.txt", b"content"), ("win\\weights\\model.bin", b"\0w" * 999)):
        api.upload_file(path_or_fileobj=data, path_in_repo=path, repo_id=REPO)
        assert hub_sandbox.read_file(REPO, path) == data
    for local_dir in (None, tmp_path / "local"):  # the client's own guard refuses to write such a name
        with pytest.raises(ValueError, match="Invalid filename"):
            hf_hub_download(
                REPO, odd, endpoint=api.endpoint, token=api.token, cache_dir=tmp_path / "c", local_dir=local_dir
            )
    r = _raw(hub_sandbox, "GET", f"/{REPO}/resolve/main/folder/..%5C..%5C..%5Cfile")
    assert r.status_code == 200 and r.content == b"content"
    assert {p.path for p in api.get_paths_info(REPO, [odd, "a/..\\b.txt"])} == {odd, "a/..\\b.txt"}
    with pytest.raises(HfHubHTTPError) as exc:
        api.upload_file(path_or_fileobj=b"content", path_in_repo="..\\ddd", repo_id=REPO)
    assert exc.value.response.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "..\\ddd",
        "..",
        "../x",
        "a/../b",
        "./a",
        "a/./b",
        "a//b",
        "/abs",
        "dir/",
        ".git/config",
        "sub/.GIT/hooks/x",
        "nul\0byte",
        "tab\there",
        "cr\rhere",
        "new\nline",
        "del\x7fhere",
    ],
)
def test_paths_the_hub_refuses_are_422(hub_sandbox, path):
    hub_sandbox.create_repo_as("alice", REPO)
    r = _commit_raw(hub_sandbox, [{"key": "file", "value": {"path": path, "content": "eA==", "encoding": "base64"}}])
    assert r.status_code == 422, path
    assert hub_sandbox.list_files(REPO) == {".gitattributes": hub_sandbox.list_files(REPO)[".gitattributes"]}


# -- 11.4 deleting a folder by name ------------------------------------------------------------------
def test_delete_of_a_folder_name_deletes_its_files(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    api.create_commit(
        REPO,
        commit_message="Init repo",
        operations=[
            CommitOperationAdd(path_or_fileobj=b"data", path_in_repo="1/file_1.md"),
            CommitOperationAdd(path_or_fileobj=b"\0lfs" * 300, path_in_repo="1/sub/file_2.bin"),
            CommitOperationAdd(path_or_fileobj=b"data", path_in_repo="2/file_3.md"),
            CommitOperationAdd(path_or_fileobj=b"data", path_in_repo="10/file_4.md"),
        ],
    )
    api.create_commit(REPO, operations=[CommitOperationDelete(path_in_repo="1")], commit_message="implicit")
    assert set(hub_sandbox.list_files(REPO)) == {".gitattributes", "2/file_3.md", "10/file_4.md"}
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download(REPO, "1/file_1.md", endpoint=api.endpoint, token=api.token)
    r = _commit_raw(hub_sandbox, [{"key": "deletedFile", "value": {"path": "2"}}])  # raw: the client's own spelling
    assert r.status_code == 200 and set(hub_sandbox.list_files(REPO)) == {".gitattributes", "10/file_4.md"}
    for key in ("deletedFile", "deletedFolder"):
        r = _commit_raw(hub_sandbox, [{"key": key, "value": {"path": "nothing-here"}}])
        assert r.status_code == 404 and r.headers["X-Error-Code"] == "EntryNotFound"


# -- 11.5 short commit ids ----------------------------------------------------------------------------
def test_short_commit_ids_resolve_everywhere(hub_api, hub_sandbox, upload_lane, tmp_path):
    api = hub_api("alice-write")
    ds = "acme-ai/ko-reviews-v1"
    api.create_repo(ds, repo_type="dataset")
    first = api.create_commit(
        ds,
        repo_type="dataset",
        commit_message="upload readme",
        operations=[CommitOperationAdd(path_or_fileobj=b"this is a file content", path_in_repo="readme.md")],
    )
    second = api.create_commit(
        ds,
        repo_type="dataset",
        commit_message="upload config",
        operations=[CommitOperationAdd(path_or_fileobj=b"{}", path_in_repo="config.json")],
    )
    api.create_tag(ds, tag="commit_1", repo_type="dataset", revision=first.oid)
    api.create_tag(ds, tag="commit_2", repo_type="dataset", revision=second.oid[:7])
    assert api.dataset_info(ds, revision="commit_1").sha == first.oid
    assert api.dataset_info(ds, revision="commit_2").sha == second.oid
    assert api.dataset_info(ds, revision=first.oid[:12].upper()).sha == first.oid
    api.create_branch(ds, branch="from-short", revision=first.oid[:8], repo_type="dataset")
    assert {b.name: b.target_commit for b in api.list_repo_refs(ds, repo_type="dataset").branches}[
        "from-short"
    ] == first.oid
    path = hf_hub_download(
        ds,
        "readme.md",
        repo_type="dataset",
        revision=first.oid[:7],
        endpoint=api.endpoint,
        token=api.token,
        cache_dir=tmp_path,
    )
    assert Path(path).read_bytes() == b"this is a file content"
    for rev in (first.oid[:6], "0000000", "f" * 41):
        with pytest.raises(RevisionNotFoundError):
            api.dataset_info(ds, revision=rev)


# -- 11.6 / 11.7 refs: validation order and texts -----------------------------------------------------
def test_tag_and_branch_validation_order_and_texts(hub_api):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    with pytest.raises(RevisionNotFoundError):
        api.create_tag(REPO, tag="invalid tag", revision="foobar")
    with pytest.raises(HfHubHTTPError) as exc:
        api.create_tag(REPO, tag="invalid tag")
    assert exc.value.response.status_code == 400
    api.create_tag(REPO, tag="tag_1")
    with pytest.raises(HfHubHTTPError) as exc:
        api.create_tag(REPO, tag="tag_1")
    assert exc.value.response.status_code == 409
    api.create_tag(REPO, tag="tag_1", exist_ok=True)
    with pytest.raises(RevisionNotFoundError):
        api.create_branch(REPO, branch="bad name", revision="foobar")
    with pytest.raises(HfHubHTTPError, match=r"Reference refs/heads/main already exists"):
        api.create_branch(REPO, branch="main")
    with pytest.raises(HfHubHTTPError, match="Invalid reference for a branch"):
        api.create_branch(REPO, branch="refs/pr/5")
    api.create_branch(REPO, branch="tag_1")  # a tag name is free for a branch
    with pytest.raises(HfHubHTTPError, match="Cannot delete refs/heads/main"):
        api.delete_branch(REPO, branch="main")
    with pytest.raises(HfHubHTTPError, match="Invalid rev id"):
        api.delete_branch(REPO, branch="cool-branch")
    api.create_tag(REPO, tag="cool-tag")
    with pytest.raises(HfHubHTTPError, match="Invalid rev id"):
        api.delete_branch(REPO, branch="cool-tag")
    with pytest.raises(HfHubHTTPError):
        api.delete_tag(REPO, tag="main")


# -- 11.8 pull requests open against branches only -----------------------------------------------------
def test_create_pr_against_a_commit_id_or_missing_branch_is_revision_not_found(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    api.create_branch(REPO, branch="test_branch")
    head = api.list_repo_refs(REPO).branches[0].target_commit
    api.create_tag(REPO, tag="v1")
    ops = [
        CommitOperationAdd(path_in_repo="file.txt", path_or_fileobj=b"content"),
        CommitOperationAdd(path_in_repo="weights.bin", path_or_fileobj=b"\0weights" * 512),
    ]
    info = api.create_commit(
        REPO, operations=ops, commit_message="PR against existing branch", revision="test_branch", create_pr=True
    )
    assert info.pr_revision == "refs/pr/1"
    assert api.get_discussion_details(REPO, 1).target_branch == "refs/heads/test_branch"
    hub_sandbox.clear_log()
    for revision in (head, head[:7], "v1", "missing_branch", "refs/pr/1"):
        with pytest.raises(RevisionNotFoundError):
            api.create_commit(
                REPO,
                operations=[CommitOperationAdd(path_in_repo="x.txt", path_or_fileobj=b"x")],
                commit_message="PR against a non-branch",
                revision=revision,
                create_pr=True,
            )
    assert [p.ref for p in api.list_repo_refs(REPO, include_pull_requests=True).pull_requests] == ["refs/pr/1"]
    assert not [r for r in hub_sandbox.requests if r.status == 200 and "/commit/" in r.path]
    r = _raw(hub_sandbox, "POST", f"/api/models/{REPO}/preupload/missing_branch", content=b"not json")
    assert r.status_code == 404 and r.headers["X-Error-Code"] == "RevisionNotFound"  # the revision is checked first


# -- 11.9 validate-yaml ------------------------------------------------------------------------------
INVALID_MODELCARD = "\n---\nmodel-index: foo\n---\n\nThis is a modelcard with an invalid metadata section.\n"


def test_card_metadata_errors_and_warnings_as_the_hub_words_them(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    hub_sandbox.clear_log()
    with pytest.raises(ValueError, match="Invalid metadata in README.md") as exc:
        api.create_commit(
            REPO,
            commit_message="Test commit",
            operations=[
                CommitOperationAdd(path_in_repo="README.md", path_or_fileobj=INVALID_MODELCARD.encode()),
                CommitOperationAdd(path_in_repo="lfs.bin", path_or_fileobj=b"content"),
            ],
        )
    assert '- "model-index" must be an array' in str(exc.value)
    assert not [r for r in hub_sandbox.requests if "/preupload/" in r.path or "/commit/" in r.path]
    with pytest.warns(UserWarning, match="Warnings while validating metadata in README.md") as warned:
        commit = api.create_commit(
            REPO,
            commit_message="no metadata",
            operations=[
                CommitOperationAdd(path_in_repo="README.md", path_or_fileobj=b"This is a modelcard without metadata"),
                CommitOperationAdd(path_in_repo="lfs.bin", path_or_fileobj=b"\0content" * 100),
            ],
        )
    assert any("empty or missing yaml metadata in repo card" in str(w.message) for w in warned)
    assert commit.oid == hub_sandbox.head(REPO)
    with pytest.raises(ValueError) as exc:
        api.upload_file(path_or_fileobj=b"---\nlicense: asdf\n---\n", path_in_repo="README.md", repo_id=REPO)
    assert '- "license" must be one of [apache-2.0, mit, openrail, bigscience-openrail-m, ' in str(exc.value)
    assert ", odbl, openmdw-1.0, openmdw-1.1, openrail++, osl-3.0, " in str(exc.value)
    assert str(exc.value).rstrip().endswith("unknown, other, array]")
    # RepoCard.validate asks for text/plain and raises the Hub's lines as they are
    card = RepoCard("---\nlicense: mit\ntags: [a]\n---\n# my-cool-model\n")
    card.validate()
    card.data.license = "asdf"
    with pytest.raises(ValueError, match='- Error: "license" must be one of'):
        card.validate()


@pytest.mark.parametrize(
    "repo_type, meta, message",
    [
        ("model", "license: [mit, nope]", '"license[1]" must be one of [apache-2.0'),
        ("model", "model-index:\n- results: []", '"model-index[0].name" is required'),
        (
            "model",
            "model-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n"
            "    dataset: {type: d, name: D, config: 1}\n    metrics: []",
            '"model-index[0].results[0].dataset.config" must be a string',
        ),
        (
            "model",
            "model-index:\n- name: m\n  results:\n  - dataset: {type: d, name: D}\n    metrics: [{type: acc}]",
            '"model-index[0].results[0].task" is required',
        ),
        ("model", "pipeline_tag: text-magic", '"pipeline_tag" must be one of [text-classification'),
        ("model", "tags: {a: 1}", '"tags" must be one of [string, array]'),
        ("model", "- a\n- b", '"value" must be of type object'),
        ("dataset", "license: 12", '"license" must be one of ['),
        ("space", "sdk: flask", '"sdk" must be one of [gradio, docker, static, streamlit]'),
        (
            "space",
            "colorFrom: teal",
            '"colorFrom" must be one of [red, yellow, green, blue, indigo, purple, pink, gray]',
        ),
        ("space", "short_description: " + "x" * 61, '"short_description" length must be less than or equal to 60'),
    ],
)
def test_validate_yaml_error_variants(hub_sandbox, repo_type, meta, message):
    content = f"---\n{meta}\n---\n# Card\n"
    r = _raw(hub_sandbox, "POST", "/api/validate-yaml", json={"content": content, "repoType": repo_type})
    assert r.status_code == 400
    assert any(e["message"].startswith(message) for e in r.json()["errors"]), r.json()
    text = _raw(
        hub_sandbox,
        "POST",
        "/api/validate-yaml",
        json={"content": content, "repoType": repo_type},
        headers={"Accept": "text/plain"},
    )
    assert text.status_code == 400 and f"- Error: {message}" in text.text


def test_valid_cards_pass_and_commit_time_check_matches(hub_sandbox):
    good = (
        "---\nlicense: [mit, apache-2.0]\nmodel-index:\n- name: m\n  results: []\ntags: korean\n"
        "base_model: acme-ai/base-v1\npipeline_tag: text-classification\n---\n# Card\n"
    )
    r = _raw(hub_sandbox, "POST", "/api/validate-yaml", json={"content": good, "repoType": "model"})
    assert r.status_code == 200 and r.json() == {"errors": [], "warnings": []}
    other = _raw(
        hub_sandbox, "POST", "/api/validate-yaml", json={"content": "---\nlicense: other\n---\n", "repoType": "model"}
    )
    assert other.status_code == 200 and other.json()["errors"] == [] and other.json()["warnings"]  # accepted, warned
    bare = _raw(hub_sandbox, "POST", "/api/validate-yaml", json={"content": "# Dataset\n", "repoType": "dataset"})
    assert bare.status_code == 200 and "empty or missing yaml metadata" in bare.json()["warnings"][0]["message"]
    hub_sandbox.create_repo_as("alice", REPO)
    import base64

    bad = base64.b64encode(b"---\nmodel-index: foo\n---\n").decode()
    r = _commit_raw(
        hub_sandbox, [{"key": "file", "value": {"path": "README.md", "content": bad, "encoding": "base64"}}]
    )
    assert r.status_code == 400 and '- Error: "model-index" must be an array' in r.json()["error"]


# -- 11.10 a new Space ----------------------------------------------------------------------------
def test_new_space_starts_with_a_configured_readme(hub_api, hub_sandbox):
    api = hub_api("alice-write")
    for sdk in ("gradio", "docker", "static"):
        repo_id = f"acme-ai/demo-{sdk}-space"
        api.create_repo(repo_id, repo_type="space", space_sdk=sdk)
        (commit,) = api.list_repo_commits(repo_id, repo_type="space")
        assert commit.title == "initial commit"
        files = set(api.list_repo_files(repo_id, repo_type="space"))
        assert {".gitattributes", "README.md"} <= files
        assert ({"index.html", "style.css"} <= files) == (sdk == "static")
        readme = hub_sandbox.read_file(repo_id, "README.md", repo_type="space").decode()
        card = SpaceCard(readme)
        assert card.data.sdk == sdk and card.data.title == f"Demo {sdk.capitalize()} Space"
        assert (
            card.data.emoji
            and card.data.colorFrom in ("red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray")
            and card.data.pinned is False
        )
        assert (card.data.sdk_version is not None) == (sdk == "gradio")
        r = _raw(hub_sandbox, "POST", "/api/validate-yaml", json={"content": readme, "repoType": "space"})
        assert r.json() == {"errors": [], "warnings": []}
        assert api.space_info(repo_id).sdk == sdk and api.space_info(repo_id).card_data.sdk == sdk
    r = _raw(
        hub_sandbox,
        "POST",
        "/api/repos/create",  # the client checks the sdk; the server does too
        json={"name": "no-sdk-space", "organization": "acme-ai", "type": "space"},
    )
    assert r.status_code == 400 and '"sdk"' in r.json()["error"]
    repo_id = "acme-ai/demo-static-space"
    metadata_update(repo_id, {"tags": ["demo"]}, repo_type="space", token=api.token)
    assert SpaceCard.load(repo_id, token=api.token).data.tags == ["demo"]
    api.delete_file("README.md", repo_id, repo_type="space")
    with pytest.raises(ValueError):  # no default README for a Space: the Hub creates it
        metadata_update(repo_id, {"tags": ["x"]}, repo_type="space", token=api.token)


# -- beyond the 11: what the same tests touch --------------------------------------------------------
def test_pull_requests_and_discussions(hub_api, hub_sandbox, upload_lane, tmp_path):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    folder = tmp_path / "folder"
    (folder / "nested").mkdir(parents=True)
    (folder / "temp").write_text("Content of the file")
    (folder / "nested" / "file.bin").write_bytes(bytes(1024 * 1024))
    info = api.upload_folder(folder_path=folder, path_in_repo="temp/dir", repo_id=REPO, create_pr=True)
    assert info.pr_revision == "refs/pr/1" and info.startswith(f"{api.endpoint}/{REPO}/commit/")
    for rel in ("temp", "nested/file.bin"):
        path = hf_hub_download(
            REPO,
            f"temp/dir/{rel}",
            revision="refs/pr/1",
            endpoint=api.endpoint,
            token=api.token,
            cache_dir=tmp_path / "c",
        )
        assert Path(path).read_bytes() == (folder / rel).read_bytes()
    assert "temp/dir/temp" not in hub_sandbox.list_files(REPO)
    pr = api.create_pull_request(REPO, title=" Test PR !  ")
    discussion = api.create_discussion(REPO, title="Test Discussion")
    assert (pr.num, pr.title, pr.author, pr.is_pull_request, pr.status) == (2, "Test PR !", "alice", True, "draft")
    assert [d.num for d in api.get_repo_discussions(REPO)] == [3, 2, 1]
    assert [d.num for d in api.get_repo_discussions(REPO, discussion_type="pull_request")] == [2, 1]
    assert [d.num for d in api.get_repo_discussions(REPO, author="unknown")] == []
    api.comment_discussion(REPO, discussion.num, "**multi** line\ncomment")
    assert len(api.get_discussion_details(REPO, discussion.num).events) == 2
    assert api.rename_discussion(REPO, discussion.num, "New title2").new_title == "New title2"
    api.change_discussion_status(REPO, discussion.num, "closed")
    assert [d.num for d in api.get_repo_discussions(REPO, discussion_status="closed")] == [3]
    api.create_commit(
        REPO,
        commit_message="Commit some file",
        revision=pr.git_reference,
        operations=[CommitOperationAdd(path_in_repo="file.test", path_or_fileobj=b"Content")],
    )
    with pytest.raises(HfHubHTTPError):  # a draft cannot be merged
        api.merge_pull_request(REPO, pr.num)
    api.change_discussion_status(REPO, pr.num, "open")
    api.merge_pull_request(REPO, pr.num)
    merged = api.get_discussion_details(REPO, pr.num)
    assert merged.status == "merged" and merged.merge_commit_oid == hub_sandbox.head(REPO)
    assert hub_sandbox.read_file(REPO, "file.test") == b"Content"
    # an empty commit on a PR is skipped by the client and lands nothing
    empty = api.create_commit(REPO, operations=[], commit_message="Empty commit", revision="refs/pr/1")
    assert empty.oid == api.list_repo_commits(REPO, revision="refs/pr/1")[0].commit_id
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("dave-fg-org").merge_pull_request(REPO, 1)
    assert exc.value.response.status_code == 403
    r = _raw(hub_sandbox, "POST", f"/api/models/{REPO}/discussions", token=None, json={"title": "anonymous"})
    assert r.status_code == 401
    r = _raw(hub_sandbox, "POST", f"/api/models/{REPO}/discussions", token="alice-read", json={"title": "read only"})
    assert r.status_code == 403


def test_repo_info_expand_selects_fields_and_refuses_unknown_ones(hub_api):
    api = hub_api("alice-write")
    api.create_repo(REPO, private=True)
    api.upload_file(
        path_or_fileobj=b"---\nlicense: mit\ntags: [korean]\nlibrary_name: transformers\n---\n",
        path_in_repo="README.md",
        repo_id=REPO,
    )
    full = api.model_info(REPO)
    assert full.card_data.license == "mit" and full.tags == ["korean"] and full.library_name == "transformers"
    only = api.model_info(REPO, expand=["private"])
    assert only.private is True and only.downloads is None and only.last_modified is None and only.siblings is None
    with pytest.raises(HfHubHTTPError) as exc:
        api.model_info(REPO, expand=["does_not_exist"])
    assert exc.value.response.status_code == 400
    message = exc.value.response.json()["error"]
    assert message.startswith('"expand" must be one of [') and "downloadsAllTime" in message and "siblings" in message
    with pytest.raises(BadRequestError):  # a Space property is no model property
        api.model_info(REPO, expand=["sdk"])
