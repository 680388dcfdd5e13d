"""Tree and commit listings longer than one page, at the Hub's page sizes, followed by the real client.

The Hub pages trees by 1000 entries (50 with ``expand=True``, dearer to compute) and commit lists
by 50, each page ending with ``Link: <next url>; rel="next"``; huggingface_hub follows the links.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from huggingface_hub import CommitOperationAdd

REPO = "acme-ai/bert-korean-sentiment-v2"
N_FILES = 1100  # + .gitattributes, + the sub/ folder's entries below
N_COMMITS = 55  # + the initial commit


@pytest.fixture
def big_repo(hub_api, hub_sandbox):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    api.create_commit(
        REPO,
        commit_message="many files",
        operations=[CommitOperationAdd(f"f{i:04d}.txt", f"file {i}".encode()) for i in range(N_FILES)]
        + [CommitOperationAdd("sub/inner.txt", b"inner")],
    )
    for i in range(N_COMMITS - 1):
        api.create_commit(
            REPO, commit_message=f"commit {i}", operations=[CommitOperationAdd("log.txt", f"{i}".encode())]
        )
    return api


def _pages(hub_sandbox, marker: str) -> list:
    return [r for r in hub_sandbox.requests if marker in r.path]


def test_tree_pages_of_1000_followed_by_the_client(big_repo, hub_sandbox):
    hub_sandbox.clear_log()
    files = big_repo.list_repo_files(REPO)
    assert len(files) == len(set(files)) == N_FILES + 3  # .gitattributes, log.txt, sub/inner.txt
    pages = _pages(hub_sandbox, "/tree/")
    assert len(pages) == 2 and all(parse_qs(p.query)["recursive"] == ["true"] for p in pages)
    first = httpx2.get(
        f"{hub_sandbox.endpoint}/api/models/{REPO}/tree/main", headers={"authorization": f"Bearer {big_repo.token}"}
    )
    assert len(first.json()) == 1000
    link = first.headers["Link"]
    assert link.startswith(f"<{hub_sandbox.endpoint}/api/models/{REPO}/tree/main?") and link.endswith('>; rel="next"')
    second = httpx2.get(link[1 : link.index(">")], headers={"authorization": f"Bearer {big_repo.token}"})
    entries = [e["path"] for e in first.json() + second.json()]
    assert "Link" not in second.headers and len(entries) == len(set(entries)) == N_FILES + 3  # files + sub/
    assert entries == sorted(entries)


def test_tree_pages_of_50_with_expand(big_repo, hub_sandbox):
    hub_sandbox.clear_log()
    tree = list(big_repo.list_repo_tree(REPO, expand=True))
    assert len(tree) == N_FILES + 3 and all(e.last_commit is not None for e in tree)
    pages = _pages(hub_sandbox, "/tree/")
    assert len(pages) == -(-(N_FILES + 3) // 50)
    assert all(parse_qs(p.query).get("expand") == ["true"] for p in pages)
    by_path = {e.path: e for e in tree}
    assert by_path["log.txt"].last_commit.title == f"commit {N_COMMITS - 2}"
    assert by_path["f0007.txt"].last_commit.title == "many files"


def test_commit_pages_of_50(big_repo, hub_sandbox):
    hub_sandbox.clear_log()
    commits = big_repo.list_repo_commits(REPO)
    assert len(commits) == N_COMMITS + 1 and len({c.commit_id for c in commits}) == N_COMMITS + 1
    assert [c.title for c in commits[:2]] == [f"commit {N_COMMITS - 2}", f"commit {N_COMMITS - 3}"]
    assert commits[-1].title == "initial commit" and [c.commit_id for c in commits] == hub_sandbox.commits(REPO)
    pages = _pages(hub_sandbox, "/commits/")
    assert [parse_qs(p.query).get("p", ["0"])[0] for p in pages] == ["0", "1"]
    formatted = big_repo.list_repo_commits(REPO, formatted=True)
    assert len(formatted) == N_COMMITS + 1 and all(c.formatted_title for c in formatted)


def test_paging_at_a_pull_request_revision(big_repo, hub_sandbox):
    """The next link keeps the revision as the client sent it (refs%2Fpr%2F1, never re-quoted)."""
    big_repo.create_commit(REPO, commit_message="pr", create_pr=True, operations=[CommitOperationAdd("pr.txt", b"pr")])
    hub_sandbox.clear_log()
    files = big_repo.list_repo_files(REPO, revision="refs/pr/1")
    assert "pr.txt" in files and len(files) == N_FILES + 4
    assert [urlsplit(r.path).path for r in _pages(hub_sandbox, "/tree/")] == [
        f"/api/models/{REPO}/tree/refs%2Fpr%2F1"
    ] * 2
    assert len(big_repo.list_repo_commits(REPO, revision="refs/pr/1")) == N_COMMITS + 2


def test_a_bad_cursor_is_a_400(big_repo, hub_sandbox):
    r = httpx2.get(
        f"{hub_sandbox.endpoint}/api/models/{REPO}/tree/main?cursor=%25%25%25",
        headers={"authorization": f"Bearer {big_repo.token}"},
    )
    assert r.status_code == 400
