"""Hub failures mid-publish: retried into one complete commit, or a clean failure that changed nothing."""

from __future__ import annotations

import pytest

from hf_publish.errors import EXIT_HUB, HubError
from hf_publish.publishing.run import MAX_ATTEMPTS
from tests.publish.helpers import REPO, weights


@pytest.fixture
def published(publish_with, checkout, hub_sandbox):
    """A published repo, then a local change touching a regular file and the LFS weights."""
    publish_with("alice-fg-org", checkout)
    checkout.write("config.json", '{"version": 2}\n')
    checkout.write("model.safetensors", weights(8192, seed=2))
    checkout.commit("v2")
    hub_sandbox.clear_log()
    return checkout


def _assert_complete(hub_sandbox, checkout):
    for name in ("config.json", "model.safetensors"):
        assert hub_sandbox.read_file(REPO, name) == (checkout.path / name).read_bytes()


# (method, path regex, fault) -> the sandbox answers the first matching request with the fault.
FAULTS = {
    "commit-503": ("POST", r"/commit/", {"status": 503}),
    "commit-429-retry-after": ("POST", r"/commit/", {"status": 429, "retry_after": 3}),
    "commit-dropped": ("POST", r"/commit/", {"drop": True}),
    "preupload-503": ("POST", r"/preupload/", {"status": 503}),
    "preupload-dropped": ("POST", r"/preupload/", {"drop": True}),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_transient_failure_is_retried_into_one_complete_commit(
    fault, publish_with, published, hub_sandbox, upload_lane
):
    method, path, spec = FAULTS[fault]
    before = len(hub_sandbox.commits(REPO))
    hub_sandbox.inject(method=method, path=path, times=1, **spec)

    report = publish_with("alice-fg-org", published)

    result = report.results[0]
    assert result.changed and result.commit_sha == hub_sandbox.head(REPO)
    assert len(hub_sandbox.commits(REPO)) == before + 1  # exactly one commit, never a partial one
    assert any(r.fault for r in hub_sandbox.requests)
    _assert_complete(hub_sandbox, published)
    if fault == "commit-429-retry-after":
        assert report.sleeps == [3.0]  # the server's Retry-After, honoured


def test_dropped_lfs_upload_is_retried(publish_with, published, hub_sandbox, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    hub_sandbox.inject(method="PUT", path=r"^/_sandbox/lfs/", drop=True, times=1)

    result = publish_with("alice-fg-org", published).results[0]

    assert result.changed
    assert [r.status for r in hub_sandbox.requests if r.path.startswith("/_sandbox/lfs/")][0] == 0  # dropped
    _assert_complete(hub_sandbox, published)


def test_persistent_failure_ends_cleanly_with_nothing_changed(publish_with, published, hub_sandbox, upload_lane):
    head = hub_sandbox.head(REPO)
    hub_sandbox.inject(method="POST", path=r"/commit/", status=503, times=None)

    with pytest.raises(HubError) as caught:
        publish_with("alice-fg-org", published)

    assert caught.value.exit_code == EXIT_HUB
    assert "gave up after" in str(caught.value) and "nothing was committed" in str(caught.value)
    assert "Next:" in str(caught.value)
    assert hub_sandbox.head(REPO) == head
    assert len([r for r in hub_sandbox.requests if "/commit/" in r.path]) == MAX_ATTEMPTS


def test_retry_after_longer_than_a_minute_stops_with_its_own_message(publish_with, published, hub_sandbox):
    head = hub_sandbox.head(REPO)
    hub_sandbox.inject(method="POST", path=r"/commit/", status=429, retry_after=3600, times=None)

    with pytest.raises(HubError, match="rate-limited by the Hub .*retry after 3600 s"):
        publish_with("alice-fg-org", published)
    assert hub_sandbox.head(REPO) == head


def test_commit_that_landed_before_its_answer_was_lost_is_not_repeated(publish_with, published, hub_sandbox):
    # The commit is applied, then the server fails before answering (as a proxy timing out would).
    import hf_publish.publishing.hub as hub_module

    original = hub_module.Hub.commit
    calls = []

    def commit_then_lose_answer(self, *args, **kwargs):
        calls.append(1)
        result = original(self, *args, **kwargs)
        if len(calls) == 1:
            raise hub_module.TransientHubError("committing: could not reach the Hub: connection reset", ambiguous=True)
        return result

    hub_module.Hub.commit = commit_then_lose_answer
    try:
        before = len(hub_sandbox.commits(REPO))
        result = publish_with("alice-fg-org", published).results[0]
    finally:
        hub_module.Hub.commit = original

    assert len(calls) == 1 and len(hub_sandbox.commits(REPO)) == before + 1
    assert result.changed and result.commit_sha == hub_sandbox.head(REPO)
    assert any("landed" in note for note in result.notes)


def test_persistent_lfs_upload_failure_is_a_hub_error_not_a_crash(publish_with, published, hub_sandbox, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    head = hub_sandbox.head(REPO)
    # The client retries the PUT itself, then raises RuntimeError("Error while uploading ...") from it.
    hub_sandbox.inject(method="PUT", path=r"^/_sandbox/lfs/", status=500, times=None)
    monkeypatch.setattr("huggingface_hub.utils._http.time.sleep", lambda seconds: None)

    with pytest.raises(HubError, match=r"the Hub failed \(HTTP 500\).*Next:"):
        publish_with("alice-fg-org", published)
    assert hub_sandbox.head(REPO) == head
