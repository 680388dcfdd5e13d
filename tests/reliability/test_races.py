"""Races on one Hub repo: 8 publishers at once, and two releases of one tag."""

from __future__ import annotations

import threading
import time

import pytest

from hf_publish.errors import EXIT_HUB, HubError
from tests.reliability.helpers import REPO, HubState, changes_per_commit, clone, write_requests

N = 8


@pytest.fixture
def origin(publisher, checkout):
    """The common repo, published: the example plus parts/part-0..7.txt that the publishers edit."""
    for i in range(N):
        checkout.write(f"parts/part-{i}.txt", f"part {i}, first version\n")
    checkout.commit("parts")
    publisher.run(checkout)
    return checkout


def clones_with_own_changes(origin, tmp_path):
    """N checkouts of the common repo; publisher i edits parts/part-i.txt and adds new/file-i.txt."""
    out = []
    for i in range(N):
        mine = clone(origin, tmp_path / f"publisher-{i}")
        mine.write(f"parts/part-{i}.txt", f"part {i}, changed by publisher {i}\n")
        mine.write(f"new/file-{i}.txt", f"added by publisher {i}\n")
        mine.commit(f"publisher {i}")
        out.append(mine)
    return out


def run_all(publisher, clones, stagger: float = 0.0, **kwargs):
    results, errors = {}, {}
    start = threading.Barrier(len(clones))

    def one(i):
        start.wait()
        time.sleep(i * stagger)
        try:
            results[i] = publisher.run(clones[i], real_sleep=True, **kwargs).results[0]
        except Exception as exc:  # recorded, asserted below
            errors[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(clones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results, errors


@pytest.mark.parametrize("start", ["same-head", "staggered"])
def test_eight_publishers_at_once_all_land_each_exactly_once(
    start, origin, publisher, hub_sandbox, tmp_path, upload_lane
):
    clones = clones_with_own_changes(origin, tmp_path)
    before = HubState.of(hub_sandbox)
    if start == "same-head":
        # Every publisher's first commit is held until all 8 have sent theirs: all 8 planned against
        # the same head, 7 of them get 412 and must re-plan their own changes only.
        hub_sandbox.inject(method="POST", path=r"/commit/", hold=N, times=N)
        results, errors = run_all(publisher, clones)
    else:
        # Starts 80 ms apart: most publishers read a head that already has others' commits, and must
        # neither delete the files those added nor revert the files they changed.
        results, errors = run_all(publisher, clones, stagger=0.08)

    assert not errors, errors
    after = HubState.of(hub_sandbox)
    assert after.commits == before.commits + N
    for i in range(N):
        assert after.files[f"parts/part-{i}.txt"] == f"part {i}, changed by publisher {i}\n".encode()
        assert after.files[f"new/file-{i}.txt"] == f"added by publisher {i}\n".encode()
    assert {p: b for p, b in after.files.items() if not p.startswith(("parts/", "new/"))} == {
        p: b for p, b in before.files.items() if not p.startswith(("parts/", "new/"))
    }
    # Each publisher's change is in exactly one commit, and each commit holds exactly one change.
    landed = changes_per_commit(hub_sandbox)[-N:]
    assert sorted(sorted(c) for c in landed) == sorted([f"new/file-{i}.txt", f"parts/part-{i}.txt"] for i in range(N))
    assert all(r.changed for r in results.values())
    if start == "same-head":
        assert sum(r.attempts for r in results.values()) >= N + N - 1  # the 412s really happened


def test_publishers_starting_one_after_another_keep_each_others_changes(origin, publisher, hub_sandbox, tmp_path):
    clones = clones_with_own_changes(origin, tmp_path)[:3]
    for mine in clones:  # each starts from the same git commit, after the previous one published
        publisher.run(mine)

    after = HubState.of(hub_sandbox)
    for i in range(len(clones)):
        assert after.files.get(f"new/file-{i}.txt") == f"added by publisher {i}\n".encode()
        assert after.files[f"parts/part-{i}.txt"] == f"part {i}, changed by publisher {i}\n".encode()


def _two_releases(origin, tmp_path):
    first, second = clone(origin, tmp_path / "first"), clone(origin, tmp_path / "second")
    first.write("config.json", '{"release": "first"}\n')
    second.write("config.json", '{"release": "second"}\n')
    return first.commit("first"), first, second.commit("second"), second


def test_same_tag_from_another_commit_later_is_refused_before_any_upload(origin, publisher, hub_sandbox, tmp_path):
    _, first, _, second = _two_releases(origin, tmp_path)
    winner = publisher.run(first, tag="v1.0.0").results[0]
    hub_sandbox.clear_log()
    before = HubState.of(hub_sandbox)

    with pytest.raises(HubError) as caught:
        publisher.run(second, tag="v1.0.0")

    assert caught.value.exit_code == EXIT_HUB
    message = str(caught.value)
    assert "v1.0.0 already exists" in message and "immutable" in message and "Next:" in message
    assert write_requests(hub_sandbox) == []  # refused before anything was uploaded
    assert HubState.of(hub_sandbox) == before
    assert _tags(publisher) == {"v1.0.0": winner.commit_sha}


def test_two_releases_of_one_tag_at_once_exactly_one_wins(origin, publisher, hub_sandbox, tmp_path, upload_lane):
    _, first, _, second = _two_releases(origin, tmp_path)
    # Both pass the preflight (the tag does not exist yet) and commit; the tag goes to one commit only.
    hub_sandbox.inject(method="POST", path=r"/commit/", hold=2, times=2)

    results, errors = run_all(publisher, [first, second], tag="v1.0.0")

    assert len(results) == 1 and len(errors) == 1, (results, errors)
    (winner,) = results.values()
    (error,) = errors.values()
    assert isinstance(error, HubError) and error.exit_code == EXIT_HUB
    assert "tag v1.0.0" in str(error) and "immutable" in str(error) and "Next: release a new version" in str(error)
    tags = _tags(publisher)
    assert tags == {"v1.0.0": winner.commit_sha}
    content = hub_sandbox.read_file(REPO, "config.json", revision="v1.0.0")
    assert content == (first if winner is results.get(0) else second).path.joinpath("config.json").read_bytes()
    # Known limit (the Hub has no atomic commit+tag): the loser's commit landed on main before its tag
    # was refused; its message names that commit, so the user knows what is on main.
    assert hub_sandbox.head(REPO)[:12] in str(error)


def _tags(publisher) -> dict[str, str]:
    return {t.name: t.target_commit for t in publisher.api().list_repo_refs(REPO).tags}
