"""Discussions and pull requests, as ``HfApi``'s discussion methods call them.

A pull request is a discussion with a git ref ``refs/pr/<num>``: ``create_pr=1`` commits and
``create_pull_request`` (which 2.4.0's ``upload_folder(create_pr=True)`` uses before committing
to the ref) both open one. Each repo keeps its discussions in ``discussions.json``; numbers are
shared by discussions and pull requests, the newest is listed first, 50 a page.

Rights: reading needs read access; opening, commenting and pushing to a pull request need read
access and a token that can push (never anonymous, never a read-only token); renaming, changing
the status of or editing a comment in someone's discussion needs to be its author or to have
write access; merging and hiding comments need write access.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .store import Repo, _write_json_atomic, iso_now
from .web import HubError, Request, Response

if TYPE_CHECKING:
    from .server import Hub

PAGE_SIZE = 50
TITLE_MIN, TITLE_MAX = 3, 200


def _event(kind: str, author: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": secrets.token_hex(12), "type": kind, "createdAt": iso_now(), "author": {"name": author}, "data": data}


def _comment(author: str, text: str) -> dict[str, Any]:
    return _event("comment", author, {"edited": False, "hidden": False, "latest": {"raw": text, "html": text}})


class Discussions:
    """The discussion endpoints; ``Hub`` owns the repos, refs and access rules they use."""

    def __init__(self, hub: Hub):
        self.hub = hub

    def add_routes(self, route: Callable[..., None], api: str) -> None:
        d = api + r"/discussions"
        route("GET", d, self.list)
        route("POST", d, self.create)
        route("GET", d + r"/(?P<num>\d+)", self.details)
        route("POST", d + r"/(?P<num>\d+)/comment", self.comment)
        route("POST", d + r"/(?P<num>\d+)/title", self.rename)
        route("POST", d + r"/(?P<num>\d+)/status", self.status)
        route("POST", d + r"/(?P<num>\d+)/merge", self.merge)
        route("POST", d + r"/(?P<num>\d+)/comment/(?P<comment_id>[0-9a-f]+)/(?P<action>edit|hide)", self.edit_comment)

    # -- storage ------------------------------------------------------------------------------
    @staticmethod
    def load(repo: Repo) -> list[dict[str, Any]]:
        try:
            items: list[dict[str, Any]] = json.loads((repo.path / "discussions.json").read_text(encoding="utf-8"))
            return items
        except (OSError, ValueError):
            return []

    @staticmethod
    def save(repo: Repo, items: list[dict[str, Any]]) -> None:
        _write_json_atomic(repo.path / "discussions.json", items)

    def next_number(self, repo: Repo) -> int:
        refs = self.hub.store.refs(repo)
        numbers: list[int] = [d["num"] for d in self.load(repo)]
        return max(numbers + [int(n) for n in refs["pr"]] + [0]) + 1

    def open_pr_record(
        self,
        repo: Repo,
        num: int,
        *,
        title: str,
        author: str,
        description: str,
        base: str,
        base_commit: str,
        status: str,
    ) -> None:
        """Record a pull request whose ref already exists (caller holds the repo lock)."""
        items = self.load(repo)
        items.append(
            {
                "num": num,
                "title": title,
                "isPullRequest": True,
                "status": status,
                "author": author,
                "createdAt": iso_now(),
                "base": base,
                "baseCommit": base_commit,
                "events": [_comment(author, description)],
            }
        )
        self.save(repo, items)

    def note_commit(self, repo: Repo, num: int, author: str, summary: str, oid: str) -> None:
        items = self.load(repo)
        for item in items:
            if item["num"] == num:
                item["events"].append(_event("commit", author, {"subject": summary, "oid": oid}))
                self.save(repo, items)
                return

    def _find(self, repo: Repo, num: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        items = self.load(repo)
        for item in items:
            if item["num"] == int(num):
                return items, item
        raise HubError(404, "Discussion not found")

    def _summary(self, repo: Repo, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "num": item["num"],
            "title": item["title"],
            "status": item["status"],
            "isPullRequest": item["isPullRequest"],
            "createdAt": item["createdAt"],
            "author": {"name": item["author"]},
            "repo": {"name": repo.repo_id, "type": repo.repo_type},
            "numComments": sum(1 for e in item["events"] if e["type"] == "comment"),
            "pinned": False,
        }

    def _detail(self, repo: Repo, item: dict[str, Any]) -> dict[str, Any]:
        out = {**self._summary(repo, item), "events": item["events"]}
        if item["isPullRequest"]:
            out["changes"] = {
                "base": item["base"],
                **({"mergeCommitId": item["mergeCommitId"]} if item.get("mergeCommitId") else {}),
            }
            out["filesWithConflicts"] = []
        return out

    def _user(self, req: Request) -> str:
        assert req.token is not None  # every caller got its repo with need="pr" or "write": authenticated
        return req.token.user or "trusted-publisher"

    def _may_moderate(self, req: Request, repo: Repo, item: dict[str, Any]) -> None:
        if self._user(req) == item["author"]:
            return
        access = self.hub.auth.repo_access(
            req.token, repo.repo_type, repo.repo_id, repo.private, repo.meta.get("creator")
        )
        if not access.write:
            raise HubError(403, "Only the author or a user with write access can change this discussion")

    # -- endpoints ----------------------------------------------------------------------------
    def list(self, req: Request, repo_type: str, repo_id: str) -> Response:
        repo = self.hub._repo(req, repo_type, repo_id)
        kind, status, author = req.arg("type", "all"), req.arg("status", "all"), req.arg("author")
        if kind not in ("all", "discussion", "pull_request") or status not in ("all", "open", "closed"):
            raise HubError(
                400, "type must be one of [all, discussion, pull_request], status one of [all, open, closed]"
            )
        items = sorted(self.load(repo), key=lambda d: -d["num"])
        if kind != "all":
            items = [d for d in items if d["isPullRequest"] == (kind == "pull_request")]
        if status == "open":
            items = [d for d in items if d["status"] in ("open", "draft")]
        elif status == "closed":
            items = [d for d in items if d["status"] in ("closed", "merged")]
        if author:
            items = [d for d in items if d["author"] == author]
        try:
            page = max(int(req.arg("p") or "0"), 0)
        except ValueError:
            raise HubError(400, "Invalid p") from None
        start = page * PAGE_SIZE
        return Response.json(
            {
                "discussions": [self._summary(repo, d) for d in items[start : start + PAGE_SIZE]],
                "count": len(items),
                "start": start,
                "numClosedDiscussions": sum(1 for d in items if d["status"] in ("closed", "merged")),
            }
        )

    def create(self, req: Request, repo_type: str, repo_id: str) -> Response:
        repo = self.hub._repo(req, repo_type, repo_id, need="pr")
        body = req.json()
        title = str(body.get("title") or "").strip()
        if not TITLE_MIN <= len(title) <= TITLE_MAX:
            raise HubError(400, f"The title must be between {TITLE_MIN} and {TITLE_MAX} characters long")
        description = str(body.get("description") or "").strip()
        is_pr = bool(body.get("pullRequest"))
        user = self._user(req)
        with self.hub.store.lock(repo.key):
            num = self.next_number(repo)
            if is_pr:
                refs = self.hub.store.refs(repo)
                base_commit = refs["heads"]["main"]
                refs["pr"][str(num)] = base_commit
                self.hub.store.set_refs(repo, refs)
                self.open_pr_record(
                    repo,
                    num,
                    title=title,
                    author=user,
                    description=description,
                    base="refs/heads/main",
                    base_commit=base_commit,
                    status="draft",
                )
            else:
                items = self.load(repo)
                items.append(
                    {
                        "num": num,
                        "title": title,
                        "isPullRequest": False,
                        "status": "open",
                        "author": user,
                        "createdAt": iso_now(),
                        "events": [_comment(user, description)],
                    }
                )
                self.save(repo, items)
        return Response.json({"num": num, "url": f"{self.hub._url(req, repo)}/discussions/{num}", "pullRequest": is_pr})

    def details(self, req: Request, repo_type: str, repo_id: str, num: str) -> Response:
        repo = self.hub._repo(req, repo_type, repo_id)
        _, item = self._find(repo, num)
        return Response.json(self._detail(repo, item))

    def comment(self, req: Request, repo_type: str, repo_id: str, num: str) -> Response:
        repo = self.hub._repo(req, repo_type, repo_id, need="pr")
        text = str(req.json().get("comment") or "").strip()
        if not text:
            raise HubError(400, "The comment must not be empty")
        with self.hub.store.lock(repo.key):
            items, item = self._find(repo, num)
            event = _comment(self._user(req), text)
            item["events"].append(event)
            self.save(repo, items)
        return Response.json({"newMessage": event})

    def rename(self, req: Request, repo_type: str, repo_id: str, num: str) -> Response:
        repo = self.hub._repo(req, repo_type, repo_id, need="pr")
        title = str(req.json().get("title") or "").strip()
        if not TITLE_MIN <= len(title) <= TITLE_MAX:
            raise HubError(400, f"The title must be between {TITLE_MIN} and {TITLE_MAX} characters long")
        with self.hub.store.lock(repo.key):
            items, item = self._find(repo, num)
            self._may_moderate(req, repo, item)
            event = _event("title-change", self._user(req), {"from": item["title"], "to": title})
            item["title"] = title
            item["events"].append(event)
            self.save(repo, items)
        return Response.json({"newTitle": event})

    def status(self, req: Request, repo_type: str, repo_id: str, num: str) -> Response:
        repo = self.hub._repo(req, repo_type, repo_id, need="pr")
        body = req.json()
        new = body.get("status")
        if new not in ("open", "closed"):
            raise HubError(400, "status must be one of [open, closed]")
        with self.hub.store.lock(repo.key):
            items, item = self._find(repo, num)
            self._may_moderate(req, repo, item)
            if item["status"] == "merged":
                raise HubError(400, "This pull request is already merged")
            event = _event("status-change", self._user(req), {"status": new})
            item["status"] = new
            item["events"].append(event)
            if body.get("comment"):
                item["events"].append(_comment(self._user(req), str(body["comment"])))
            self.save(repo, items)
        return Response.json({"newStatus": event})

    def merge(self, req: Request, repo_type: str, repo_id: str, num: str) -> Response:
        """Fast-forward the base branch, or commit the pull request's changes on top of it."""
        hub = self.hub
        repo = hub._repo(req, repo_type, repo_id, need="write")
        body = req.json()
        with hub.store.lock(repo.key):
            items, item = self._find(repo, num)
            if not item["isPullRequest"]:
                raise HubError(400, "Only pull requests can be merged")
            if item["status"] != "open":
                raise HubError(400, f"Cannot merge a pull request that is {item['status']}")
            refs = hub.store.refs(repo)
            branch = item["base"][len("refs/heads/") :]
            head, pr_head, fork = refs["heads"].get(branch), refs["pr"].get(str(item["num"])), item.get("baseCommit")
            if head is None or pr_head is None:
                raise HubError(404, "The pull request's branches are gone", "RevisionNotFound")
            if head == fork:
                refs["heads"][branch] = merge_commit = pr_head
                hub.store.set_refs(repo, refs)
            else:
                ours, theirs, base = hub._tree(repo, head), hub._tree(repo, pr_head), hub._tree(repo, fork or head)
                changed = {p for p in set(base) | set(theirs) if base.get(p) != theirs.get(p)}
                conflicts = sorted(p for p in changed if ours.get(p) != base.get(p) and ours.get(p) != theirs.get(p))
                if conflicts:
                    raise HubError(409, f"This pull request has conflicts with {branch}: {', '.join(conflicts[:5])}")
                tree = dict(ours)
                for p in changed:
                    if p in theirs:
                        tree[p] = theirs[p]
                    else:
                        tree.pop(p, None)
                merge_commit = hub.store.apply_commit(
                    repo,
                    branch=branch,
                    base=head,
                    tree=tree,
                    title=f"Merge pull request #{item['num']}: {item['title']}",
                    message="",
                    author=self._user(req),
                )
            item["status"], item["mergeCommitId"] = "merged", merge_commit
            item["events"].append(_event("status-change", self._user(req), {"status": "merged"}))
            if body.get("comment"):
                item["events"].append(_comment(self._user(req), str(body["comment"])))
            self.save(repo, items)
        return Response.json({})

    def edit_comment(
        self, req: Request, repo_type: str, repo_id: str, num: str, comment_id: str, action: str
    ) -> Response:
        repo = self.hub._repo(req, repo_type, repo_id, need="pr")
        body: Any = req.json() if action == "edit" else {}
        with self.hub.store.lock(repo.key):
            items, item = self._find(repo, num)
            event = next((e for e in item["events"] if e["id"] == comment_id and e["type"] == "comment"), None)
            if event is None:
                raise HubError(404, "Comment not found")
            if action == "edit":
                if event["author"]["name"] != self._user(req):
                    raise HubError(403, "Only the author of a comment can edit it")
                text = str(body.get("content") or "").strip()
                if not text:
                    raise HubError(400, "The comment must not be empty")
                event["data"]["latest"] = {"raw": text, "html": text}
                event["data"]["edited"] = True
            else:
                self._may_moderate(req, repo, {"author": event["author"]["name"]})
                event["data"]["hidden"] = True
            self.save(repo, items)
        return Response.json({"updatedComment": event})
