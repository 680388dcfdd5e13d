"""Repos, accounts, refs, listings: the real huggingface_hub client against the sandbox."""

from __future__ import annotations

import pytest
from huggingface_hub import CommitOperationAdd, hf_hub_download
from huggingface_hub.errors import (
    BadRequestError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

REPO = "acme-ai/bert-korean-sentiment-v2"


def test_whoami_has_the_hub_shape(hub_api):
    me = hub_api("alice-fg-org").whoami()
    assert me["type"] == "user" and me["name"] == "alice"
    (org,) = me["orgs"]
    assert org["type"] == "org" and org["name"] == "acme-ai" and org["roleInOrg"] == "admin"
    token = me["auth"]["accessToken"]
    assert me["auth"]["type"] == "access_token"
    assert token["displayName"] == "alice-fg-org" and token["role"] == "fineGrained"
    (scoped,) = token["fineGrained"]["scoped"]
    assert scoped["entity"]["type"] == "org" and scoped["entity"]["name"] == "acme-ai"
    assert set(scoped["permissions"]) == {"repo.write", "repo.content.read"}
    assert hub_api("bob-write").whoami()["auth"]["accessToken"]["role"] == "write"
    assert hub_api("alice-read").whoami()["auth"]["accessToken"]["role"] == "read"
    assert hub_api("eve-fg-user").whoami()["orgs"] == []
    revoked = hub_api("alice-revoked").whoami()
    assert revoked["orgs"][0]["securityRestrictions"] == ["token-revoked"]


def test_expired_token_is_401_everywhere(hub_api, hub_sandbox):
    with pytest.raises(HfHubHTTPError, match="Invalid user token") as exc:
        hub_api("expired").whoami()
    assert exc.value.response.status_code == 401
    hub_sandbox.create_repo_as("alice", REPO, private=False)
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("expired").repo_info(REPO)
    assert exc.value.response.status_code == 401


def test_tokens_look_real_and_are_deterministic(hub_sandbox):
    import re

    from hf_publish.sandbox import Sandbox

    assert all(re.fullmatch(r"hf_[A-Za-z]{34}", v) for v in hub_sandbox.tokens.values())
    with Sandbox() as other:
        assert other.tokens == hub_sandbox.tokens
    assert {
        "alice-write",
        "alice-read",
        "bob-write",
        "alice-fg-org",
        "bob-fg-org",
        "carol-fg-org",
        "dave-fg-org",
        "alice-fg-read",
        "alice-fg-repo",
        "eve-fg-user",
        "alice-revoked",
        "expired",
    } <= set(hub_sandbox.tokens)


def test_create_repo_initial_commit_and_info(hub_api, hub_sandbox):
    api = hub_api("alice-write")
    url = api.create_repo(REPO, private=True)
    assert url.repo_id == REPO and url.startswith(hub_sandbox.endpoint)
    info = api.repo_info(REPO, files_metadata=True)
    assert info.id == REPO and info.private is True and len(info.sha) == 40
    (sibling,) = info.siblings
    assert sibling.rfilename == ".gitattributes" and sibling.size > 0 and len(sibling.blob_id) == 40
    text = hub_sandbox.read_file(REPO, ".gitattributes").decode()
    patterns = [line.split()[0] for line in text.splitlines() if "filter=lfs" in line]
    assert len(patterns) == 35 and "*.safetensors" in patterns and "saved_model/**/*" in patterns
    (commit,) = api.list_repo_commits(REPO)
    assert commit.title == "initial commit" and commit.authors == ["alice"]
    # datasets get the extra patterns
    api.create_repo("acme-ai/ko-reviews-v1", repo_type="dataset")
    ds = hub_sandbox.read_file("acme-ai/ko-reviews-v1", ".gitattributes", repo_type="dataset").decode()
    assert "*.parquet filter=lfs" in ds and "*.wav filter=lfs" in ds and "*.avro filter=lfs" in ds


def test_create_repo_conflicts_names_and_rights(hub_api):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    with pytest.raises(HfHubHTTPError) as exc:
        api.create_repo(REPO)
    assert exc.value.response.status_code == 409
    assert api.create_repo(REPO.upper(), exist_ok=True).repo_id.lower() == REPO  # case-insensitive
    import httpx2  # the client validates names itself: ask the server directly

    r = httpx2.post(
        f"{api.endpoint}/api/repos/create",
        json={"name": "bad--name", "organization": "acme-ai"},
        headers={"authorization": f"Bearer {api.token}"},
    )
    assert r.status_code == 400 and "'--' and '..' are forbidden" in r.json()["error"]
    for token in ("dave-fg-org", "alice-read", "alice-fg-read", "eve-fg-user", "alice-fg-repo"):
        with pytest.raises(HfHubHTTPError) as exc:
            hub_api(token).create_repo("acme-ai/llama-finance-instruct-v1")
        assert exc.value.response.status_code == 403, token
        assert 'You don\'t have the rights to create a model under the namespace "acme-ai"' in str(exc.value)
    # a read-only token "succeeds" with exist_ok on an existing repo: it is no permission check
    assert hub_api("alice-read").create_repo(REPO, exist_ok=True).repo_id == REPO
    # eve owns her own namespace; created without organization -> user namespace
    assert hub_api("eve-fg-user").create_repo("eve/private-tests-v1").repo_id == "eve/private-tests-v1"
    assert hub_api("carol-fg-org").create_repo("acme-ai/carol-model-v1").repo_id == "acme-ai/carol-model-v1"


def test_roles_intersect_token_scope(hub_api, hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO)
    hub_sandbox.create_repo_as("carol", "acme-ai/carol-model-v1")

    def can_write(token, repo=REPO):
        try:
            hub_api(token).auth_check(repo, write=True)
            return True
        except HfHubHTTPError as exc:
            assert exc.response.status_code == 403, (token, exc)
            return False

    assert can_write("alice-write") and can_write("bob-write") and can_write("alice-fg-org")
    assert can_write("bob-fg-org") and can_write("alice-fg-repo")
    assert not can_write("alice-read") and not can_write("alice-fg-read") and not can_write("dave-fg-org")
    assert not can_write("carol-fg-org")  # contributor: not a repo it created
    assert can_write("carol-fg-org", "acme-ai/carol-model-v1")
    with pytest.raises(RepositoryNotFoundError):  # repo-scoped token: another private repo is invisible
        hub_api("alice-fg-repo").auth_check("acme-ai/carol-model-v1")
    with pytest.raises(HfHubHTTPError, match="token policy") as exc:
        hub_api("alice-revoked").auth_check(REPO, write=True)
    assert exc.value.response.status_code == 403
    for token in ("alice-read", "dave-fg-org", "alice-fg-read"):
        hub_api(token).auth_check(REPO)  # read is fine
    with pytest.raises(RepositoryNotFoundError):
        hub_api("eve-fg-user").auth_check(REPO)


def test_private_repo_is_not_found_to_outsiders(hub_api, hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO, private=True)
    hub_sandbox.create_repo_as("eve", "eve/secret-notes-v1", private=True)
    with pytest.raises(RepositoryNotFoundError):
        hub_api("eve-fg-user").repo_info(REPO)
    with pytest.raises(RepositoryNotFoundError):
        hub_api(None).repo_info(REPO)
    with pytest.raises(RepositoryNotFoundError):
        hub_api("alice-write").repo_info("eve/secret-notes-v1")
    with pytest.raises(RepositoryNotFoundError):
        hub_api("alice-write").repo_info("acme-ai/does-not-exist-v1")
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(REPO, ".gitattributes", endpoint=hub_sandbox.endpoint, token=hub_sandbox.tokens["eve-fg-user"])
    assert hub_api("dave-fg-org").repo_info(REPO).private is True  # org member with read role
    assert hub_api("alice-write").repo_info(REPO.upper()).id == REPO  # case-insensitive ids


def test_settings_and_delete(hub_api, hub_sandbox):
    api = hub_api("alice-write")
    api.create_repo(REPO, private=True)
    api.update_repo_settings(REPO, private=False, gated="auto")
    info = hub_api(None).repo_info(REPO)
    assert info.private is False and info.gated == "auto"
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("dave-fg-org").update_repo_settings(REPO, private=True)
    assert exc.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("dave-fg-org").delete_repo(REPO)
    assert exc.value.response.status_code == 403
    api.delete_repo(REPO)
    with pytest.raises(RepositoryNotFoundError):
        api.repo_info(REPO)
    api.delete_repo(REPO, missing_ok=True)
    with pytest.raises(RepositoryNotFoundError):
        api.delete_repo(REPO)


def test_branches_tags_refs(hub_api):
    api = hub_api("bob-fg-org")
    api.create_repo(REPO)
    first = api.repo_info(REPO).sha
    api.create_branch(REPO, branch="feature/new-tokenizer")
    with pytest.raises(HfHubHTTPError) as exc:
        api.create_branch(REPO, branch="feature/new-tokenizer")
    assert exc.value.response.status_code == 409
    api.create_branch(REPO, branch="feature/new-tokenizer", exist_ok=True)
    info = api.upload_file(
        path_or_fileobj=b"{}", path_in_repo="config.json", repo_id=REPO, revision="feature/new-tokenizer"
    )
    api.create_tag(REPO, tag="v1.0", revision="feature/new-tokenizer", tag_message="first")
    with pytest.raises(HfHubHTTPError) as exc:
        api.create_tag(REPO, tag="v1.0")
    assert exc.value.response.status_code == 409
    refs = api.list_repo_refs(REPO)
    assert {b.name: b.target_commit for b in refs.branches} == {"main": first, "feature/new-tokenizer": info.oid}
    assert [(t.name, t.ref, t.target_commit) for t in refs.tags] == [("v1.0", "refs/tags/v1.0", info.oid)]
    assert api.repo_info(REPO, revision="v1.0").sha == info.oid
    assert [s.rfilename for s in api.repo_info(REPO, revision="feature/new-tokenizer").siblings] == [
        ".gitattributes",
        "config.json",
    ]
    assert [s.rfilename for s in api.repo_info(REPO).siblings] == [".gitattributes"]
    with pytest.raises(RevisionNotFoundError):
        api.repo_info(REPO, revision="nope")
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api("dave-fg-org").create_branch(REPO, branch="experiment/x")
    assert exc.value.response.status_code == 403
    api.delete_tag(REPO, tag="v1.0")
    api.delete_branch(REPO, branch="feature/new-tokenizer")
    refs = api.list_repo_refs(REPO)
    assert [b.name for b in refs.branches] == ["main"] and refs.tags == []


def test_commits_and_tree_paging(hub_api, hub_sandbox):
    hub_sandbox.hub.commits_page_size = 3
    hub_sandbox.hub.tree_page_size = 4
    api = hub_api("alice-write")
    api.create_repo(REPO)
    for i in range(7):
        api.upload_file(
            path_or_fileobj=f"v{i}".encode(),
            path_in_repo=f"dir{i % 2}/f{i}.txt",
            repo_id=REPO,
            commit_message=f"commit {i}",
        )
    commits = api.list_repo_commits(REPO)
    assert [c.title for c in commits] == [f"commit {i}" for i in reversed(range(7))] + ["initial commit"]
    assert [c.commit_id for c in commits] == hub_sandbox.commits(REPO)
    files = api.list_repo_files(REPO)
    assert sorted(files) == sorted([".gitattributes"] + [f"dir{i % 2}/f{i}.txt" for i in range(7)])
    commit_pages = [r for r in hub_sandbox.requests if "/commits/" in r.path]
    tree_pages = [r for r in hub_sandbox.requests if "/tree/" in r.path]
    assert len(commit_pages) == 3 and len(tree_pages) == 3  # 8 commits / 3 a page; 10 entries / 4 a page
    top = list(api.list_repo_tree(REPO))
    assert sorted((e.path, type(e).__name__) for e in top) == [
        (".gitattributes", "RepoFile"),
        ("dir0", "RepoFolder"),
        ("dir1", "RepoFolder"),
    ]
    sub = list(api.list_repo_tree(REPO, path_in_repo="dir1", expand=True))
    assert [e.path for e in sub] == ["dir1/f1.txt", "dir1/f3.txt", "dir1/f5.txt"]
    assert sub[0].last_commit.title == "commit 1"
    with pytest.raises(RemoteEntryNotFoundError):
        list(api.list_repo_tree(REPO, path_in_repo="missing"))


def test_paths_info_and_file_exists(hub_api):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    api.create_commit(
        REPO,
        operations=[CommitOperationAdd("a/b/c.txt", b"abc"), CommitOperationAdd("model.bin", b"\0\1\2" * 10)],
        commit_message="add",
    )
    infos = api.get_paths_info(REPO, ["a/b/c.txt", "a", "model.bin", "nope.txt"], expand=True)
    by_path = {i.path: i for i in infos}
    assert set(by_path) == {"a/b/c.txt", "a", "model.bin"}
    import hashlib

    assert by_path["a/b/c.txt"].blob_id == hashlib.sha1(b"blob 3\0abc").hexdigest()
    assert by_path["model.bin"].lfs.sha256 == hashlib.sha256(b"\0\1\2" * 10).hexdigest()
    assert by_path["a"].tree_id and by_path["a/b/c.txt"].last_commit.title == "add"
    assert api.file_exists(REPO, "a/b/c.txt") and not api.file_exists(REPO, "a/b/missing.txt")
    assert not api.file_exists("acme-ai/missing-repo-v1", "x")
    assert api.repo_exists(REPO) and not api.repo_exists("acme-ai/missing-repo-v1")


def test_validate_yaml_and_card_checked_at_commit(hub_api):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    good = "---\nlicense: apache-2.0\ntags: [korean]\n---\n# Model\n"
    api.upload_file(path_or_fileobj=good.encode(), path_in_repo="README.md", repo_id=REPO)
    bad = "---\nlicense: not-a-license\n---\n# Model\n"
    with pytest.raises(ValueError, match=r'- "license" must be one of \[apache-2.0, mit, '):
        api.upload_file(path_or_fileobj=bad.encode(), path_in_repo="README.md", repo_id=REPO)


def test_delete_missing_file_is_entry_not_found(hub_api):
    from huggingface_hub import CommitOperationDelete

    api = hub_api("alice-write")
    api.create_repo(REPO)
    with pytest.raises(RemoteEntryNotFoundError):
        api.create_commit(REPO, operations=[CommitOperationDelete("missing.txt")], commit_message="rm")
    api.upload_file(path_or_fileobj=b"x", path_in_repo="sub/x.txt", repo_id=REPO)
    api.delete_folder("sub", repo_id=REPO)
    assert api.list_repo_files(REPO) == [".gitattributes"]


def test_bad_path_is_rejected(hub_sandbox):
    import json

    import httpx2

    hub_sandbox.create_repo_as("alice", REPO)
    body = "\n".join(
        json.dumps(x)
        for x in [
            {"key": "header", "value": {"summary": "s", "description": ""}},
            {"key": "file", "value": {"path": "../escape.txt", "content": "eA==", "encoding": "base64"}},
        ]
    )
    r = httpx2.post(
        f"{hub_sandbox.endpoint}/api/models/{REPO}/commit/main",
        content=body,
        headers={
            "authorization": f"Bearer {hub_sandbox.tokens['alice-write']}",
            "content-type": "application/x-ndjson",
        },
    )
    assert r.status_code == 422
    with pytest.raises(BadRequestError):
        from huggingface_hub.utils import hf_raise_for_status

        r = httpx2.post(
            f"{hub_sandbox.endpoint}/api/models/{REPO}/preupload/main",
            content=b"{",
            headers={"authorization": f"Bearer {hub_sandbox.tokens['alice-write']}"},
        )
        hf_raise_for_status(r)
