"""Publishing against the sandbox with the real client, in both upload lanes (xet and classic LFS)."""

from __future__ import annotations

import threading
import time

import pytest

from hf_publish.errors import HubError, UsageError
from tests.publish.helpers import REPO, make_checkout, write_requests


def test_first_publish_creates_private_org_repo_with_every_file(
    publish_with, checkout, hub_sandbox, hub_api, upload_lane
):
    report = publish_with("alice-fg-org", checkout)

    (result,) = report.results
    assert result.created and result.changed and not result.dry_run
    assert result.commit_sha == hub_sandbox.head(REPO)
    assert result.repo_url == f"{hub_sandbox.endpoint}/{REPO}"
    info = hub_api("alice-fg-org").repo_info(REPO, files_metadata=True)
    assert info.private is True
    files = {s.rfilename: s for s in info.siblings}
    assert set(files) == {".gitattributes", "README.md", "config.json", "model.safetensors"}
    assert ".hf-publish.yaml" not in files  # the policy is not published
    assert files["model.safetensors"].lfs is not None
    assert hub_sandbox.read_file(REPO, "model.safetensors") == (checkout.path / "model.safetensors").read_bytes()
    assert hub_sandbox.read_file(REPO, ".gitattributes") == (checkout.path / ".gitattributes").read_bytes()
    commits = [r for r in hub_sandbox.requests if "/commit/" in r.path]
    assert len(commits) == 1  # one atomic commit


def test_republish_without_changes_makes_no_commit_and_reads_no_file(publish_with, checkout, hub_sandbox, upload_lane):
    first = publish_with("alice-fg-org", checkout).results[0]
    hub_sandbox.clear_log()

    again = publish_with("alice-fg-org", checkout).results[0]

    assert again.changed is False and again.created is False
    assert again.commit_sha == first.commit_sha == hub_sandbox.head(REPO)
    assert again.plan.to_dict()["files"] == [] and again.plan.unchanged == 4
    assert again.plan.hashed_bytes == 0  # ids came from git's index and the LFS pointer
    assert write_requests(hub_sandbox) == []


@pytest.mark.slow
def test_editing_a_small_file_beside_200mb_weights_uploads_only_that_file(
    publish_with, tmp_path, hub_sandbox, upload_lane
):
    checkout = make_checkout(tmp_path / "big")
    with open(checkout.path / "model.safetensors", "wb") as handle:  # 200 MB, written in 1 MiB blocks
        block = bytes(range(256)) * 4096
        for i in range(200):
            handle.write(i.to_bytes(4, "little") + block[4:])
    checkout.commit("200 MB of weights")
    publish_with("alice-fg-org", checkout)
    assert hub_sandbox.list_files(REPO)["model.safetensors"] == 200 * 1024 * 1024
    hub_sandbox.clear_log()

    checkout.write("config.json", '{"model_type": "bert", "hidden_size": 128}\n')
    result = publish_with("alice-fg-org", checkout).results[0]

    assert [(f["path"], f["action"]) for f in result.plan.to_dict()["files"]] == [("config.json", "update")]
    assert result.plan.hashed_bytes < 1024  # only the edited file was read
    uploads = [
        r
        for r in hub_sandbox.requests
        if "/info/lfs/" in r.path or "/_sandbox/lfs/" in r.path or "/xet-write-token/" in r.path
    ]
    assert uploads == []  # no LFS / xet traffic: the weights were not sent again
    assert sum(r.bytes_in for r in hub_sandbox.requests) < 64 * 1024
    assert hub_sandbox.read_file(REPO, "config.json") == (checkout.path / "config.json").read_bytes()


def test_deleted_local_file_is_deleted_remotely_but_not_ignored_paths(
    publish_with, checkout, hub_sandbox, hub_api, upload_lane
):
    checkout.write("tokenizer/vocab.txt", "[PAD]\n[UNK]\n")
    checkout.commit("add vocab")
    publish_with("alice-fg-org", checkout)
    # Files another tool put on the Hub under an `ignore` glob are not hf-publish's to delete.
    hub_api("alice-fg-org").upload_file(path_or_fileobj=b"step 1\n", path_in_repo="runs/log.txt", repo_id=REPO)
    checkout.remove("tokenizer/vocab.txt")
    checkout.commit("drop vocab")

    result = publish_with("alice-fg-org", checkout).results[0]

    assert result.plan.to_dict()["delete"] == ["tokenizer/vocab.txt"]
    files = hub_sandbox.list_files(REPO)
    assert "tokenizer/vocab.txt" not in files
    assert ".gitattributes" in files and "runs/log.txt" in files


def test_untracked_and_dirty_files_are_published_gitignored_and_ignore_globs_are_not(
    publish_with, checkout, hub_sandbox, upload_lane
):
    checkout.write(".gitignore", "secrets.env\n")
    checkout.commit("gitignore")
    checkout.write("secrets.env", "PASSWORD=x\n")  # git-ignored
    checkout.write("notes.tmp", "scratch\n")  # policy ignore glob *.tmp
    checkout.write("runs/1/metrics.json", "{}\n")  # policy ignore glob runs/
    checkout.write("eval.md", "# results\n")  # untracked
    checkout.write("config.json", '{"dirty": true}\n')  # modified, not committed

    result = publish_with("alice-fg-org", checkout).results[0]

    files = hub_sandbox.list_files(REPO)
    assert "eval.md" in files and ".gitignore" in files
    assert not {"secrets.env", "notes.tmp", "runs/1/metrics.json"} & set(files)
    assert hub_sandbox.read_file(REPO, "config.json") == b'{"dirty": true}\n'
    assert result.changed


def test_two_publishers_racing_on_one_repo_both_land(publish_with, checkout, tmp_path, hub_sandbox, upload_lane):
    publish_with("alice-fg-org", checkout)
    other = make_checkout(tmp_path / "other")  # a second clone of the same content
    checkout.write("config.json", '{"from": "alice"}\n')
    other.write("README.md", (other.path / "README.md").read_text() + "\nUpdated by bob.\n")
    before = len(hub_sandbox.commits(REPO))
    # Hold alice's commit in the server after she read the head, so bob's commit lands first.
    rule = hub_sandbox.inject(method="POST", path=r"/commit/", delay=3, times=1)
    results = {}
    alice = threading.Thread(target=lambda: results.setdefault("alice", publish_with("alice-fg-org", checkout)))
    alice.start()
    deadline = time.monotonic() + 30
    while rule.hits == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    results["bob"] = publish_with("bob-fg-org", other)
    alice.join(60)

    assert [r.status for r in hub_sandbox.requests if "/commit/" in r.path].count(412) == 1
    # Whoever came second (alice, unless bob needed more than 3 s) re-read the head and re-planned.
    assert sorted(r.results[0].attempts for r in results.values()) == [1, 2]
    assert hub_sandbox.read_file(REPO, "config.json") == b'{"from": "alice"}\n'
    assert hub_sandbox.read_file(REPO, "README.md").endswith(b"Updated by bob.\n")
    assert len(hub_sandbox.commits(REPO)) == before + 2


def test_publishers_one_after_another_keep_each_others_changes(publish_with, checkout, tmp_path, hub_sandbox, hub_api):
    import shutil

    from tests.publish.helpers import Checkout

    checkout.write("notes.md", "first notes\n")
    checkout.commit("notes")
    publish_with("alice-fg-org", checkout)  # the common starting point, on the Hub
    other = Checkout(tmp_path / "other")
    shutil.copytree(checkout.path, other.path, symlinks=True)  # a second clone of the same history
    checkout.write("config.json", '{"by": "alice"}\n')
    checkout.commit("alice's change")
    other.write("eval.md", "# bob's results\n")
    other.remove("notes.md")
    other.commit("bob's change")

    publish_with("alice-fg-org", checkout)
    bob = publish_with("bob-fg-org", other).results[0]  # his clone lacks alice's commit

    assert [(c.path, c.action) for c in bob.plan.changes] == [("eval.md", "add"), ("notes.md", "delete")]
    files = hub_sandbox.list_files(REPO)
    assert hub_sandbox.read_file(REPO, "config.json") == b'{"by": "alice"}\n'  # not reverted
    assert "eval.md" in files and "notes.md" not in files

    # A file put on the Hub by other means is not hf-publish's: a later publish keeps it.
    hub_api("alice-fg-org").upload_file(path_or_fileobj=b"from the website\n", path_in_repo="web.md", repo_id=REPO)
    checkout.write("config.json", '{"by": "alice", "v": 2}\n')
    result = publish_with("alice-fg-org", checkout).results[0]
    assert [(c.path, c.action) for c in result.plan.changes] == [("config.json", "update")]
    assert "web.md" in hub_sandbox.list_files(REPO)
    assert any("kept" in note and "web.md" in note for note in result.notes)


def test_release_tag_is_idempotent_and_immutable(publish_with, checkout, hub_sandbox, hub_api, upload_lane):
    first = publish_with("alice-fg-org", checkout, tag="v1.0.0").results[0]
    refs = hub_api("alice-fg-org").list_repo_refs(REPO)
    assert [(t.name, t.target_commit) for t in refs.tags] == [("v1.0.0", first.commit_sha)]
    assert first.tag == "v1.0.0"
    hub_sandbox.clear_log()

    again = publish_with("alice-fg-org", checkout, tag="v1.0.0").results[0]
    assert again.tag == "v1.0.0" and again.changed is False
    assert write_requests(hub_sandbox) == []  # same tag, same commit: nothing to do

    checkout.write("config.json", '{"changed": 1}\n')
    with pytest.raises(HubError, match="immutable"):
        publish_with("alice-fg-org", checkout, tag="v1.0.0")
    assert write_requests(hub_sandbox) == []  # refused before anything was uploaded
    assert hub_sandbox.head(REPO) == first.commit_sha

    second = publish_with("alice-fg-org", checkout, tag="v1.1.0").results[0]
    tags = {t.name: t.target_commit for t in hub_api("alice-fg-org").list_repo_refs(REPO).tags}
    assert tags == {"v1.0.0": first.commit_sha, "v1.1.0": second.commit_sha}


def test_release_from_github_ref_and_tag_pattern(publish_with, checkout, hub_api):
    result = publish_with("alice-fg-org", checkout, env={"GITHUB_REF": "refs/tags/v2.0.0"}).results[0]
    assert result.tag == "v2.0.0"
    result = publish_with("alice-fg-org", checkout, env={"GITHUB_REF": "refs/tags/nightly"}).results[0]
    assert result.tag is None  # not a release tag: published, not tagged
    assert [t.name for t in hub_api("alice-fg-org").list_repo_refs(REPO).tags] == ["v2.0.0"]
    with pytest.raises(UsageError, match="tag_pattern"):
        publish_with("alice-fg-org", checkout, tag="latest")


def test_commit_carries_git_sha_run_url_and_actor(publish_with, checkout, hub_api):
    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme-ai/models",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_ACTOR": "octocat",
    }
    publish_with("alice-fg-org", checkout, env=env)
    (latest, *_) = hub_api("alice-fg-org").list_repo_commits(REPO)
    sha = checkout.head()
    assert sha[:12] in latest.title
    assert f"Git commit: {sha}" in latest.message
    assert "https://github.com/acme-ai/models/actions/runs/4242" in latest.message
    assert "Actor: octocat" in latest.message
    assert "uncommitted" not in latest.message

    checkout.write("eval.md", "# results\n")  # untracked: published, but not in the git commit
    publish_with("alice-fg-org", checkout, env=env)
    (latest, *_) = hub_api("alice-fg-org").list_repo_commits(REPO)
    assert latest.title.endswith("(with uncommitted changes)")


def test_create_pr_opens_a_pull_request_and_leaves_main_alone(publish_with, checkout, hub_sandbox, upload_lane):
    publish_with("alice-fg-org", checkout)
    head = hub_sandbox.head(REPO)
    checkout.write("config.json", '{"pr": true}\n')

    result = publish_with("bob-fg-org", checkout, create_pr=True).results[0]

    assert result.pr_url and "/discussions/" in result.pr_url
    assert hub_sandbox.head(REPO) == head
    assert hub_sandbox.read_file(REPO, "config.json", revision="refs/pr/1") == b'{"pr": true}\n'


def test_revision_publishes_to_a_branch_created_from_main(publish_with, checkout, hub_sandbox):
    publish_with("alice-fg-org", checkout)
    main = hub_sandbox.head(REPO)
    checkout.write("config.json", '{"branch": true}\n')

    result = publish_with("alice-fg-org", checkout, revision="experiment").results[0]

    assert hub_sandbox.head(REPO) == main
    assert result.commit_sha == hub_sandbox.head(REPO, revision="experiment")
    assert hub_sandbox.read_file(REPO, "config.json", revision="experiment") == b'{"branch": true}\n'


def test_dataset_and_space_repos_are_created_with_their_type_and_sdk(publish_with, checkout, hub_api):
    card = (checkout.path / "README.md").read_text()
    checkout.write("data/README.md", card.replace("pipeline_tag: text-classification\n", ""))
    checkout.write("data/train.csv", "text,label\n좋아요,1\n")
    checkout.write(
        "app/README.md",
        "---\ntitle: Sentiment demo\nsdk: static\nlicense: apache-2.0\n---\n" + card.split("---\n", 2)[2],
    )
    checkout.write("app/index.html", "<h1>demo</h1>\n")
    with open(checkout.path / ".gitattributes", "a") as handle:  # saved_model/ rules anchor at their folder
        handle.write("**/saved_model/**/* filter=lfs diff=lfs merge=lfs -text\n")
    checkout.write(
        ".hf-publish.yaml",
        (
            "organization: acme-ai\n"
            "repos:\n"
            "  - {name: bert-korean-sentiment-v2, path: ., ignore: [data/, app/]}\n"
            "  - {name: nsmc-reviews-sample-v1, type: dataset, path: data}\n"
            "  - {name: sentiment-static-app-v1, type: space, path: app, sdk: static, private: false}\n"
        ),
    )
    checkout.commit("dataset and space")

    report = publish_with("alice-fg-org", checkout, repos=["nsmc-reviews-sample-v1", "sentiment-static-app-v1"])

    assert [(r.repo_id, r.repo_type, r.created) for r in report.results] == [
        ("acme-ai/nsmc-reviews-sample-v1", "dataset", True),
        ("acme-ai/sentiment-static-app-v1", "space", True),
    ]
    api = hub_api("alice-fg-org")
    space = api.space_info("acme-ai/sentiment-static-app-v1")
    assert space.private is False and space.sdk == "static"
    # The folder has no .gitattributes of its own: the Hub's default one stays (never deleted).
    assert set(api.list_repo_files("acme-ai/nsmc-reviews-sample-v1", repo_type="dataset")) == {
        ".gitattributes",
        "README.md",
        "train.csv",
    }
