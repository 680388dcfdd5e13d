"""A model of the Hub, checked against the real publish, the real client and the sandbox.

A `hypothesis.stateful` machine drives two git clones of one repo (local edits, adds, deletes,
renames, commits, amends, resets to an older commit, the second clone syncing and publishing),
foreign changes on the Hub through `HfApi` as another user (uploads, edits, deletes), publishes,
dry runs and re-publishes. Beside it, `HubModel` computes what the Hub must hold after each
publish from the guarantees alone (README, section Publishing), not from hf-publish's code:

- the base of a publish is the newest hf-publish commit on the branch whose git commit is in the
  publishing clone's history; what it published is that commit's folder (for a dirty publish,
  plus the files that publish changed);
- with a base, exactly the paths whose local content differs from the base take the local content
  (deleted when the folder lacks them); every other Hub file stays as it is;
- with no hf-publish commit on the branch at all, the managed files mirror the folder;
- with publishes from other histories only, files are added and updated, never deleted;
- `.gitattributes` is never deleted, `ignore` globs are neither published nor deleted.

After every publish the Hub's tree is read back and compared with the model; a publish that changes
nothing sends no commit request; a publish makes at most one commit; the reported plan is the
model's difference; a dry run predicts exactly that and writes nothing.

`HF_PUBLISH_MODEL_EXAMPLES=N` runs N examples per upload lane (default: a few, about a minute for
both lanes on a loaded 2-core machine). Each failure found this way is kept as a plain regression
test in `test_model_regressions.py`.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from hf_publish.paths import matches
from tests.publish.helpers import REPO, Checkout, git, make_checkout, weights

EXAMPLES = int(os.environ.get("HF_PUBLISH_MODEL_EXAMPLES", "20"))
STEPS = int(os.environ.get("HF_PUBLISH_MODEL_STEPS", "25"))

IGNORE = ("*.tmp", "runs/")  # the example policy's `ignore`
POLICY = ".hf-publish.yaml"
NEVER_DELETED = (".gitattributes",)
TEXT_PATHS = ("config.json", "notes.md", "a/b.txt", "a/c.txt", "x.tmp", "runs/log.txt")
WEIGHTS = "model.safetensors"
LOCAL_PATHS = TEXT_PATHS + (WEIGHTS,)
HUB_PATHS = LOCAL_PATHS + ("README.md", "web.md", "runs/hub.txt", ".gitattributes")
TEXTS = (b"one\n", b"two\n", b"three\n")


def content(path: str, choice: int) -> bytes:
    return weights(2048, seed=choice + 1) if path == WEIGHTS else TEXTS[choice % len(TEXTS)]


def published_view(files: dict[str, bytes]) -> dict[str, bytes]:
    """What a publish sends from a folder holding `files`: less the policy file and `ignore` globs."""
    return {p: b for p, b in files.items() if p != POLICY and not matches(p, IGNORE)}


def managed(path: str) -> bool:
    return path not in NEVER_DELETED and not matches(path, IGNORE)


def read_folder(path: Path) -> dict[str, bytes]:
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(path).parts
    }


# --- the model ---------------------------------------------------------------------------------------


@dataclass
class Publish:
    git_commit: str
    dirty: bool
    changes: dict[str, bytes | None]  # what this publish changed on the Hub (None: deleted)


@dataclass
class Clone:
    checkout: Checkout
    head: str
    files: dict[str, bytes]  # the working tree (everything but .git)


@dataclass
class HubModel:
    hub: dict[str, bytes]
    commits: dict[str, tuple[tuple[str, ...], dict[str, bytes]]] = field(
        default_factory=dict
    )  # git sha -> (parents, files)
    publishes: list[Publish] = field(default_factory=list)  # oldest first

    def is_ancestor(self, commit: str, head: str) -> bool:
        seen, todo = set(), [head]
        while todo:
            sha = todo.pop()
            if sha == commit:
                return True
            if sha not in seen:
                seen.add(sha)
                todo.extend(self.commits[sha][0])
        return False

    def base(self, clone: Clone) -> dict[str, bytes] | None:
        for publish in reversed(self.publishes):
            if self.is_ancestor(publish.git_commit, clone.head):
                files = published_view(self.commits[publish.git_commit][1])
                if publish.dirty:
                    for path, data in publish.changes.items():
                        if data is None:
                            files.pop(path, None)
                        else:
                            files[path] = data
                return files
        return None

    def expect(self, clone: Clone) -> dict[str, bytes]:
        """The Hub's files after `clone` publishes."""
        local, hub = published_view(clone.files), dict(self.hub)
        base = self.base(clone)
        if base is not None:
            ours = {p for p in local if local[p] != base.get(p)} | {p for p in base if p not in local and managed(p)}
            for path in ours:
                if path in local:
                    hub[path] = local[path]
                else:
                    hub.pop(path, None)
        else:
            hub.update(local)
            if not self.publishes:  # nothing of hf-publish's on the branch yet: a mirror
                for path in [p for p in hub if p not in local and managed(p)]:
                    del hub[path]
        return hub

    def record(self, clone: Clone, after: dict[str, bytes]) -> None:
        changed = {p: after.get(p) for p in set(self.hub) | set(after) if self.hub.get(p) != after.get(p)}
        if changed:
            dirty = published_view(clone.files) != published_view(self.commits[clone.head][1])
            self.publishes.append(Publish(clone.head, dirty, changed))
        self.hub = after


def diff(before: dict[str, bytes], after: dict[str, bytes]) -> list[tuple[str, str]]:
    out = []
    for path in sorted(set(before) | set(after)):
        if path not in before:
            out.append((path, "add"))
        elif path not in after:
            out.append((path, "delete"))
        elif before[path] != after[path]:
            out.append((path, "update"))
    return sorted(out, key=lambda c: ({"add": 0, "update": 1, "delete": 2}[c[1]], c[0]))


# --- the machine -----------------------------------------------------------------------------------


def make_machine(sandbox, workdir: Path, stats: Counter):
    from huggingface_hub import HfApi

    from hf_publish.publishing.hub import make_api
    from hf_publish.publishing.run import publish

    counter = {"n": 0}

    class PublishMachine(RuleBasedStateMachine):
        @initialize()
        def start(self):
            sandbox.reset()
            counter["n"] += 1
            root = workdir / f"example-{counter['n']}"
            a = make_checkout(root / "a")
            sandbox.create_repo_as("alice", REPO)
            self.model = HubModel({p: sandbox.read_file(REPO, p) for p in sandbox.list_files(REPO)})
            self.model.commits[a.head()] = ((), read_folder(a.path))
            self.clones = {"a": Clone(a, a.head(), read_folder(a.path))}
            self.root = root
            self.foreign = HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens["bob-fg-org"])

        def _clone(self, name: str) -> Clone:
            """The named clone; the first one while there is no second."""
            return self.clones.get(name) or self.clones["a"]

        def _remove(self, clone: Clone, path: str) -> bytes:
            clone.checkout.remove(path)
            parent = (clone.checkout.path / path).parent
            while parent != clone.checkout.path and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
            return clone.files.pop(path)

        def _note_commit(self, clone: Clone) -> None:
            parents = tuple(git(clone.checkout.path, "rev-list", "--parents", "-n", "1", "HEAD").split()[1:])
            clone.head = clone.checkout.head()
            self.model.commits.setdefault(clone.head, (parents, read_folder(clone.checkout.path)))
            clone.files = read_folder(clone.checkout.path)

        # -- local changes ----------------------------------------------------------------------
        clone_names = st.sampled_from(["a", "b"])

        @rule(name=clone_names, path=st.sampled_from(LOCAL_PATHS), choice=st.integers(0, 2))
        def write(self, name, path, choice):
            clone = self._clone(name)
            clone.checkout.write(path, content(path, choice))
            clone.files[path] = content(path, choice)

        @rule(name=clone_names, path=st.sampled_from(LOCAL_PATHS))
        def delete(self, name, path):
            clone = self._clone(name)
            if path not in clone.files:
                return
            self._remove(clone, path)

        @rule(name=clone_names, source=st.sampled_from(TEXT_PATHS), dest=st.sampled_from(TEXT_PATHS))
        def rename(self, name, source, dest):
            clone = self._clone(name)
            if source not in clone.files or source == dest:
                return
            data = self._remove(clone, source)
            clone.checkout.write(dest, data)
            clone.files[dest] = data

        @rule(name=clone_names, then_publish=st.booleans())
        def commit(self, name, then_publish=False):
            clone = self._clone(name)
            clone.checkout.commit("change")
            self._note_commit(clone)
            if then_publish:
                self.publish(name)

        @rule(name=clone_names)
        def amend(self, name):
            clone = self._clone(name)
            if not self.model.commits[clone.head][0]:
                return
            git(clone.checkout.path, "add", "-A")
            git(clone.checkout.path, "commit", "-q", "--amend", "--allow-empty", "--no-edit", "-m", "amended")
            self._note_commit(clone)

        @rule(name=clone_names, back=st.integers(1, 3))
        def reset_to_older_commit(self, name, back):
            clone = self._clone(name)
            target = clone.head
            for _ in range(back):
                parents = self.model.commits[target][0]
                if not parents:
                    break
                target = parents[0]
            git(clone.checkout.path, "add", "-A")
            git(clone.checkout.path, "reset", "-q", "--hard", target)
            clone.head = target
            clone.files = read_folder(clone.checkout.path)
            assert published_view(clone.files) == published_view(self.model.commits[target][1])

        @rule()
        def second_clone_syncs(self):
            a = self.clones["a"]
            dest = self.root / f"b{len(self.model.commits)}-{counter['n']}"
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(a.checkout.path, dest, symlinks=True)
            self.clones["b"] = Clone(Checkout(dest), a.head, dict(a.files))

        @rule()
        def first_clone_fast_forwards_to_the_second(self):
            a, b = self.clones["a"], self.clones.get("b")
            if b is None or not self.model.is_ancestor(a.head, b.head) or a.head == b.head:
                return
            lfs = b.checkout.path / ".git" / "lfs" / "objects"
            if lfs.exists():
                shutil.copytree(lfs, a.checkout.path / ".git" / "lfs" / "objects", dirs_exist_ok=True)
            git(a.checkout.path, "fetch", "-q", str(b.checkout.path), "HEAD")
            git(a.checkout.path, "add", "-A")
            git(a.checkout.path, "reset", "-q", "--hard", b.head)
            a.head = b.head
            a.files = read_folder(a.checkout.path)

        # -- others on the Hub ----------------------------------------------------------------------
        @rule(path=st.sampled_from(HUB_PATHS), choice=st.integers(0, 2), then_publish=st.sampled_from(["", "a", "b"]))
        def foreign_upload(self, path, choice, then_publish):
            data = b"hub: " + content(path, choice) if path not in (WEIGHTS,) else content(path, choice + 3)
            self.foreign.upload_file(path_or_fileobj=data, path_in_repo=path, repo_id=REPO)
            self.model.hub[path] = data
            if then_publish:
                self.publish(then_publish)

        @rule(path=st.sampled_from(HUB_PATHS), then_publish=st.sampled_from(["", "a", "b"]))
        def foreign_delete(self, path, then_publish):
            if path in self.model.hub:
                self.foreign.delete_file(path, repo_id=REPO)
                del self.model.hub[path]
            if then_publish:
                self.publish(then_publish)

        # -- publishing -----------------------------------------------------------------------------
        def _publish(self, clone: Clone, **kwargs):
            return publish(
                clone.checkout.path,
                api=make_api(sandbox.endpoint, sandbox.tokens["alice-fg-org"]),
                env={},
                log=lambda line: None,
                sleep=lambda s: None,
                **kwargs,
            ).results[0]

        @rule(name=clone_names)
        def publish(self, name):
            clone = self._clone(name)
            expected = self.model.expect(clone)
            commits_before = len(sandbox.commits(REPO))
            sandbox.clear_log()

            result = self._publish(clone)
            stats["publishes"] += 1
            stats["changed" if result.changed else "no-op"] += 1
            stats[f"mode: {_mode(result.notes)}"] += 1

            actual = {p: sandbox.read_file(REPO, p) for p in sandbox.list_files(REPO)}
            assert actual == expected, (sorted(diff(expected, actual)), result.notes)
            assert [(c.path, c.action) for c in result.plan.changes] == diff(self.model.hub, expected)
            landed = len(sandbox.commits(REPO)) - commits_before
            assert landed == (1 if expected != self.model.hub else 0), landed
            if expected == self.model.hub:
                assert not result.changed
                assert [r for r in sandbox.requests if "/commit/" in r.path] == [], "a no-op sent a commit"
            self.model.record(clone, expected)

        @rule(name=clone_names, path=st.sampled_from(LOCAL_PATHS), choice=st.integers(0, 2))
        def edit_commit_and_publish(self, name, path, choice):
            """The everyday cycle, in one step."""
            self.write(name, path, choice)
            self.commit(name)
            self.publish(name)

        @rule(name=clone_names)
        def dry_run(self, name):
            clone = self._clone(name)
            expected = self.model.expect(clone)
            head = sandbox.head(REPO)
            sandbox.clear_log()

            result = self._publish(clone, dry_run=True)

            assert [(c.path, c.action) for c in result.plan.changes] == diff(self.model.hub, expected)
            assert sandbox.head(REPO) == head
            assert not [
                r for r in sandbox.requests if r.method in ("POST", "PUT", "DELETE") and "/paths-info/" not in r.path
            ]

        @rule(name=clone_names)
        def publish_twice(self, name):
            """A re-publish right after a publish finds nothing to do."""
            self.publish(name)
            self.publish(name)

        @invariant()
        def hub_matches_the_model_between_steps(self):
            if hasattr(self, "model"):
                assert set(sandbox.list_files(REPO)) == set(self.model.hub)

    return PublishMachine


def _mode(notes: list[str]) -> str:
    if any(n.startswith("mirror:") for n in notes):
        return "mirror"
    if any("deletes none" in n for n in notes):
        return "no-delete"
    return "three-way or in sync"


def test_publish_against_a_model_of_the_hub(hub_sandbox, tmp_path, upload_lane):
    stats: Counter = Counter()
    machine = make_machine(hub_sandbox, tmp_path, stats)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        ),
    )
    print(f"\nmodel run [{upload_lane}]: {dict(sorted(stats.items()))}")
    assert stats["changed"] and stats["no-op"], stats  # the machine did publish, both ways
