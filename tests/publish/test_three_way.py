"""The three-way plan: the base's local side is what this checkout published (the repo folder at the
base's git commit, read from git), never the Hub tree after that publish. Each guarantee of README's
Publishing section, with the real client against the sandbox."""

from __future__ import annotations

from tests.publish.helpers import REPO, git


def upload_as_colleague(hub_api, path: str, data: bytes, token: str = "bob-fg-org") -> None:
    hub_api(token).upload_file(path_or_fileobj=data, path_in_repo=path, repo_id=REPO)


def changes(result) -> list[tuple[str, str]]:
    return [(c.path, c.action) for c in result.plan.changes]


def test_a_file_a_colleague_added_survives_any_number_of_later_publishes(
    publish_with, checkout, hub_sandbox, hub_api, upload_lane
):
    # The sequence: the kept foreign file used to be deleted two publishes later.
    publish_with("alice-fg-org", checkout)
    upload_as_colleague(hub_api, "x.txt", b"from a colleague\n")
    publish_with("alice-fg-org", checkout)
    publish_with("alice-fg-org", checkout)
    checkout.write("config.json", '{"model_type": "bert", "v": 2}\n')
    checkout.commit("config change")
    assert changes(publish_with("alice-fg-org", checkout).results[0]) == [("config.json", "update")]
    commits = len(hub_sandbox.commits(REPO))

    again = publish_with("alice-fg-org", checkout).results[0]

    assert changes(again) == [] and not again.changed
    assert len(hub_sandbox.commits(REPO)) == commits
    assert hub_sandbox.read_file(REPO, "x.txt") == b"from a colleague\n"


def test_a_file_a_colleague_changed_survives_publishes_that_do_not_touch_it(
    publish_with, checkout, hub_sandbox, hub_api
):
    publish_with("alice-fg-org", checkout)
    upload_as_colleague(hub_api, "README.md", (checkout.path / "README.md").read_bytes() + b"\nEdited online.\n")
    for round_ in range(3):
        checkout.write("notes.md", f"round {round_}\n")
        checkout.commit(f"round {round_}")
        result = publish_with("alice-fg-org", checkout).results[0]
        assert changes(result) == [("notes.md", "add" if round_ == 0 else "update")]
    assert hub_sandbox.read_file(REPO, "README.md").endswith(b"Edited online.\n")


def logged(lines: list[str], text: str) -> int:
    """Index of the first log line holding `text` (-1 when none)."""
    return next((i for i, line in enumerate(lines) if text in line), -1)


# --- guarantee 1: deletes only what this checkout deleted since its last publish ---------------------


def test_only_files_this_checkout_deleted_since_its_last_publish_are_deleted(
    publish_with, checkout, hub_sandbox, hub_api, upload_lane
):
    checkout.write("notes.md", "notes\n")
    checkout.commit("notes")
    publish_with("alice-fg-org", checkout)
    upload_as_colleague(hub_api, "eval/results.json", b'{"f1": 0.9}\n')
    checkout.remove("notes.md")
    checkout.commit("drop notes")

    result = publish_with("alice-fg-org", checkout).results[0]

    assert changes(result) == [("notes.md", "delete")]
    assert set(hub_sandbox.list_files(REPO)) == {
        ".gitattributes",
        "README.md",
        "config.json",
        "model.safetensors",
        "eval/results.json",
    }


def test_a_first_publish_into_a_repo_mirrors_and_says_so_before_it_deletes(
    publish_with, checkout, hub_sandbox, hub_api
):
    hub_sandbox.create_repo_as("alice", REPO)
    upload_as_colleague(hub_api, "old-weights.bin", b"\0" * 64, token="alice-fg-org")
    lines: list[str] = []

    dry = publish_with("alice-fg-org", checkout, dry_run=True).results[0]
    assert ("old-weights.bin", "delete") in changes(dry)
    assert any(note.startswith("mirror:") and "old-weights.bin" in note for note in dry.notes)

    result = publish_with("alice-fg-org", checkout, log=lines.append).results[0]

    assert ("old-weights.bin", "delete") in changes(result)
    said, committed = logged(lines, "mirror:"), logged(lines, "committing")
    assert 0 <= said < committed, lines  # announced before the commit that deletes
    assert "old-weights.bin" not in hub_sandbox.list_files(REPO)


# --- guarantee 2: an already published commit makes no commit, whatever happened on the Hub ----------


def test_republishing_a_published_commit_makes_no_commit_whatever_others_did(
    publish_with, checkout, hub_sandbox, hub_api, upload_lane
):
    publish_with("alice-fg-org", checkout)
    api = hub_api("bob-fg-org")
    api.upload_file(path_or_fileobj=b"new\n", path_in_repo="added-by-bob.md", repo_id=REPO)
    api.upload_file(path_or_fileobj=b'{"bob": 1}\n', path_in_repo="config.json", repo_id=REPO)
    api.delete_file("README.md", repo_id=REPO)
    head = hub_sandbox.head(REPO)
    hub_sandbox.clear_log()

    result = publish_with("alice-fg-org", checkout).results[0]

    assert not result.changed and changes(result) == [] and result.commit_sha == head
    assert [r for r in hub_sandbox.requests if "/commit/" in r.path or "/preupload/" in r.path] == []
    assert hub_sandbox.read_file(REPO, "config.json") == b'{"bob": 1}\n'


# --- guarantee 3: others' changes stay unless this checkout changed the same path, and then it says so --


def test_a_path_both_sides_changed_is_this_publishs_and_each_is_named(publish_with, checkout, hub_sandbox, hub_api):
    checkout.write("notes.md", "notes\n")
    checkout.commit("notes")
    publish_with("alice-fg-org", checkout)
    api = hub_api("bob-fg-org")
    api.upload_file(path_or_fileobj=b'{"bob": 1}\n', path_in_repo="config.json", repo_id=REPO)
    api.delete_file("README.md", repo_id=REPO)
    api.upload_file(path_or_fileobj=b"bob's notes\n", path_in_repo="notes.md", repo_id=REPO)
    checkout.write("config.json", '{"alice": 1}\n')
    checkout.write("README.md", (checkout.path / "README.md").read_text() + "\nMore.\n")
    checkout.remove("notes.md")
    checkout.commit("alice")

    result = publish_with("alice-fg-org", checkout).results[0]

    assert changes(result) == [("README.md", "add"), ("config.json", "update"), ("notes.md", "delete")]
    for path in ("README.md", "config.json", "notes.md"):
        assert any(note.startswith(f"{path}: changed on the Hub since the last publish") for note in result.notes)
    assert hub_sandbox.read_file(REPO, "config.json") == b'{"alice": 1}\n'
    assert "notes.md" not in hub_sandbox.list_files(REPO)


# --- guarantee 5: edge cases ---------------------------------------------------------------------------


def test_a_rewritten_history_plans_from_the_newest_publish_still_in_it(publish_with, checkout, hub_sandbox):
    first = checkout.head()
    publish_with("alice-fg-org", checkout)
    checkout.write("experiment.md", "tried\n")
    checkout.commit("experiment")
    publish_with("alice-fg-org", checkout)  # published, then dropped from git by a reset
    git(checkout.path, "reset", "-q", "--hard", first)
    checkout.write("final.md", "kept\n")
    checkout.commit("final")

    result = publish_with("alice-fg-org", checkout).results[0]

    assert changes(result) == [("final.md", "add")]
    assert "experiment.md" in hub_sandbox.list_files(REPO)  # its publish is treated as someone else's
    assert any("not in this checkout's history" in note for note in result.notes)


def test_a_history_with_no_published_commit_left_deletes_nothing(publish_with, checkout, hub_sandbox):
    checkout.write("notes.md", "notes\n")
    checkout.commit("notes")
    publish_with("alice-fg-org", checkout)
    git(checkout.path, "checkout", "-q", "--orphan", "squashed")  # every published commit gone
    checkout.remove("notes.md")
    checkout.write("config.json", '{"squashed": true}\n')
    checkout.commit("one squashed commit")

    result = publish_with("alice-fg-org", checkout).results[0]

    assert changes(result) == [("config.json", "update")]
    assert result.plan.not_deleted == ["notes.md"] and "notes.md" in hub_sandbox.list_files(REPO)
    assert any("rewritten" in note and "deletes none" in note for note in result.notes)


def _shallow_clone(origin, dest):
    """A real `git clone --depth 1` of `origin` (LFS objects copied over, as a CI checkout with lfs)."""
    import os
    import shutil
    import subprocess

    from tests.publish.helpers import Checkout

    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin.path}", str(dest)],
        check=True,
        env={**os.environ, "GIT_LFS_SKIP_SMUDGE": "1"},
    )
    shutil.copytree(origin.path / ".git" / "lfs" / "objects", dest / ".git" / "lfs" / "objects", dirs_exist_ok=True)
    git(dest, "lfs", "install", "--local")
    git(dest, "lfs", "checkout")
    shutil.copy(origin.path / ".hf-publish.yaml", dest / ".hf-publish.yaml")
    return Checkout(dest)


def test_a_shallow_clone_deletes_nothing_and_says_how_to_fix_it(publish_with, checkout, hub_sandbox, tmp_path):
    checkout.write("notes.md", "notes\n")
    checkout.commit("notes")
    publish_with("alice-fg-org", checkout)
    checkout.remove("notes.md")
    checkout.write("config.json", '{"v": 2}\n')
    checkout.commit("next")
    shallow = _shallow_clone(checkout, tmp_path / "ci")
    assert git(shallow.path, "rev-parse", "--is-shallow-repository").strip() == "true"

    result = publish_with("alice-fg-org", shallow).results[0]

    assert changes(result) == [("config.json", "update")]
    assert "notes.md" in hub_sandbox.list_files(REPO)
    assert any("shallow clone" in note and "fetch-depth: 0" in note for note in result.notes)
    again = publish_with("alice-fg-org", shallow).results[0]  # its own commit is in any clone: a base
    assert not again.changed


def anchor_saved_model_rule(checkout) -> None:
    """The Hub's `saved_model/**/*` rule anchors at the root: a repo in a subfolder needs `**/`."""
    with open(checkout.path / ".gitattributes", "a") as handle:
        handle.write("**/saved_model/**/* filter=lfs diff=lfs merge=lfs -text\n")


def test_a_renamed_repo_folder_changes_nothing_on_the_hub(publish_with, checkout, hub_sandbox, hub_api):
    anchor_saved_model_rule(checkout)
    checkout.write("model/README.md", (checkout.path / "README.md").read_text())
    checkout.write("model/config.json", (checkout.path / "config.json").read_text())
    (checkout.path / "model" / "model.safetensors").write_bytes((checkout.path / "model.safetensors").read_bytes())
    for name in ("README.md", "config.json", "model.safetensors"):
        checkout.remove(name)
    policy = (checkout.path / ".hf-publish.yaml").read_text()
    checkout.write(".hf-publish.yaml", policy.replace("path: .   ", "path: model"))
    checkout.commit("repo in model/")
    publish_with("alice-fg-org", checkout)
    upload_as_colleague(hub_api, "web.md", b"online\n")
    git(checkout.path, "mv", "model", "models-v2")
    checkout.write(".hf-publish.yaml", policy.replace("path: .   ", "path: models-v2"))
    checkout.commit("rename the folder")

    result = publish_with("alice-fg-org", checkout).results[0]

    assert changes(result) == [] and not result.changed
    assert "web.md" in hub_sandbox.list_files(REPO)


def test_ignore_globs_changed_between_publishes(publish_with, checkout, hub_sandbox):
    checkout.write("notes.tmp", "was ignored\n")
    checkout.write("runs/1/log.txt", "step 1\n")
    checkout.commit("scratch files")
    published = publish_with("alice-fg-org", checkout).results[0]
    assert "notes.tmp" not in published.plan.to_dict()["add"]
    policy = (checkout.path / ".hf-publish.yaml").read_text()
    checkout.write(".hf-publish.yaml", policy.replace('      - "*.tmp"\n', ""))  # *.tmp is published now
    checkout.commit("publish tmp files")

    result = publish_with("alice-fg-org", checkout).results[0]
    assert changes(result) == [("notes.tmp", "add")]

    checkout.write(".hf-publish.yaml", policy)  # ignored again: stays on the Hub, no longer managed
    checkout.commit("ignore tmp files again")
    result = publish_with("alice-fg-org", checkout).results[0]
    assert changes(result) == [] and "notes.tmp" in hub_sandbox.list_files(REPO)


def test_a_gitattributes_change_alone_uploads_only_gitattributes(publish_with, checkout, hub_sandbox):
    checkout.write("vocab.txt", "[PAD]\n" * 100)
    checkout.commit("vocab")
    publish_with("alice-fg-org", checkout)
    with open(checkout.path / ".gitattributes", "a") as handle:
        handle.write("vocab.txt filter=lfs diff=lfs merge=lfs -text\n")
    git(checkout.path, "add", "--renormalize", ".")
    checkout.commit("vocab in LFS")
    assert git(checkout.path, "cat-file", "-p", "HEAD:vocab.txt").startswith("version https://git-lfs")

    result = publish_with("alice-fg-org", checkout).results[0]

    assert changes(result) == [(".gitattributes", "update")]
    assert hub_sandbox.read_file(REPO, "vocab.txt") == b"[PAD]\n" * 100


def test_a_revision_branch_has_its_own_base(publish_with, checkout, hub_sandbox, hub_api):
    publish_with("alice-fg-org", checkout)
    checkout.write("config.json", '{"branch": 1}\n')
    checkout.commit("branch work")
    publish_with("alice-fg-org", checkout, revision="experiment")
    hub_api("bob-fg-org").upload_file(
        path_or_fileobj=b"bob\n", path_in_repo="bob.md", repo_id=REPO, revision="experiment"
    )
    hub_sandbox.clear_log()

    again = publish_with("alice-fg-org", checkout, revision="experiment").results[0]
    assert not again.changed and [r for r in hub_sandbox.requests if "/commit/" in r.path] == []

    checkout.write("config.json", '{"branch": 2}\n')
    checkout.commit("more branch work")
    result = publish_with("alice-fg-org", checkout, revision="experiment").results[0]
    assert changes(result) == [("config.json", "update")]
    assert "bob.md" in hub_sandbox.list_files(REPO, revision="experiment")
    assert hub_sandbox.read_file(REPO, "config.json") != b'{"branch": 2}\n'  # main untouched


def test_a_pull_request_publish_is_not_a_base_for_main(publish_with, checkout, hub_sandbox, hub_api):
    publish_with("alice-fg-org", checkout)
    checkout.write("notes.md", "proposed\n")
    checkout.commit("proposal")
    pr = publish_with("bob-fg-org", checkout, create_pr=True).results[0]
    assert pr.pr_url and "notes.md" not in hub_sandbox.list_files(REPO)
    upload_as_colleague(hub_api, "web.md", b"online\n")

    result = publish_with("alice-fg-org", checkout).results[0]  # main still lacks the proposal

    assert changes(result) == [("notes.md", "add")]
    assert "web.md" in hub_sandbox.list_files(REPO)


def test_files_a_dirty_publish_sent_are_tracked_as_this_checkouts(publish_with, checkout, hub_sandbox, hub_api):
    publish_with("alice-fg-org", checkout)
    checkout.write("draft.md", "untracked draft\n")  # published, never committed
    checkout.remove("config.json")  # deleted in the working tree only
    dirty = publish_with("alice-fg-org", checkout).results[0]
    assert changes(dirty) == [("draft.md", "add"), ("config.json", "delete")]
    (latest, *_) = hub_api("alice-fg-org").list_repo_commits(REPO)
    assert "plus uncommitted changes" in latest.message
    upload_as_colleague(hub_api, "web.md", b"online\n")
    checkout.remove("draft.md")
    git(checkout.path, "checkout", "--", "config.json")  # back as committed

    result = publish_with("alice-fg-org", checkout).results[0]

    assert changes(result) == [("config.json", "add"), ("draft.md", "delete")]
    assert set(hub_sandbox.list_files(REPO)) == {
        ".gitattributes",
        "README.md",
        "config.json",
        "model.safetensors",
        "web.md",
    }


def test_a_staged_but_uncommitted_change_is_published_as_uncommitted(publish_with, checkout, hub_api):
    checkout.write("config.json", '{"staged": true}\n')
    git(checkout.path, "add", "config.json")  # the index differs from HEAD, the working tree does not

    publish_with("alice-fg-org", checkout)

    (latest, *_) = hub_api("alice-fg-org").list_repo_commits(REPO)
    assert "plus uncommitted changes" in latest.message and "Publish rules: " in latest.message


def test_a_git_ignored_output_folder_is_published_as_a_plain_folder(publish_with, checkout, hub_sandbox, hub_api):
    anchor_saved_model_rule(checkout)
    checkout.write(".gitignore", "outputs/\n")
    policy = (checkout.path / ".hf-publish.yaml").read_text()
    checkout.write(".hf-publish.yaml", policy.replace("path: .   ", "path: outputs"))
    checkout.commit("outputs are not in git")
    out = checkout.path / "outputs"
    out.mkdir()
    (out / "README.md").write_bytes((checkout.path / "README.md").read_bytes())
    (out / "config.json").write_text('{"epoch": 1}\n')
    (out / "model.safetensors").write_bytes((checkout.path / "model.safetensors").read_bytes())

    result = publish_with("alice-fg-org", checkout).results[0]

    assert {"README.md", "config.json", "model.safetensors"} <= set(result.plan.to_dict()["add"])
    assert hub_sandbox.read_file(REPO, "config.json") == b'{"epoch": 1}\n'
    (latest, *_) = hub_api("alice-fg-org").list_repo_commits(REPO)
    assert "Git commit:" not in latest.message  # never a base: it is not that commit's tree


def test_a_dry_run_to_a_new_branch_plans_from_mains_last_publish(publish_with, checkout, hub_sandbox, hub_api):
    publish_with("alice-fg-org", checkout)
    upload_as_colleague(hub_api, "web.md", b"online\n")
    checkout.write("config.json", '{"branch": 1}\n')
    checkout.commit("branch work")

    dry = publish_with("alice-fg-org", checkout, revision="new-branch", dry_run=True).results[0]
    real = publish_with("alice-fg-org", checkout, revision="new-branch").results[0]

    assert changes(dry) == changes(real) == [("config.json", "update")]
    assert "web.md" in hub_sandbox.list_files(REPO, revision="new-branch")
