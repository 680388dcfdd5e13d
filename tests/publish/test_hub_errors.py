"""The one error table: real client exceptions (from the sandbox) become messages ending with the next step."""

from __future__ import annotations

import socket

import pytest

from hf_publish.errors import AuthError, ConflictError, HubError, NotFoundError, StaleHeadError, TransientHubError
from hf_publish.publishing.hub import ERROR_TABLE, Hub, make_api

REPO = "acme-ai/bert-korean-sentiment-v2"


@pytest.fixture
def hub(hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO)
    return Hub(make_api(hub_sandbox.endpoint, hub_sandbox.tokens["alice-fg-org"]))


def test_every_row_ends_with_a_next_step():
    for rule in ERROR_TABLE.values():
        assert rule.next_step and not rule.next_step.endswith(".")
        assert issubclass(rule.error, HubError)


@pytest.mark.parametrize(
    "status,error,words",
    [
        (400, HubError, "the Hub rejected the request"),
        (403, AuthError, "forbidden"),
        (413, HubError, "too large"),
        (422, HubError, "refused the commit"),
        (429, TransientHubError, "rate-limited by the Hub (HTTP 429); retry after 9 s"),
        (500, TransientHubError, "the Hub failed (HTTP 500)"),
        (503, TransientHubError, "the Hub failed (HTTP 503)"),
    ],
)
def test_http_statuses(status, error, words, hub, hub_sandbox):
    hub_sandbox.inject(
        method="GET", path=r"/revision/main$", status=status, retry_after=9 if status == 429 else None, times=None
    )
    with pytest.raises(error) as caught:
        hub.head(REPO, "model", "main")
    message = str(caught.value)
    assert message.startswith(f"reading the head of {REPO}@main: ") and words in message and "Next: " in message


def test_missing_repo_invalid_token_and_conflicts(hub, hub_sandbox):
    with pytest.raises(NotFoundError, match=r"acme-ai/missing-model-v1 not found, or this token cannot see it"):
        hub.read_state("acme-ai/missing-model-v1", "model", "main")
    with pytest.raises(ConflictError, match="already exists"):
        hub.create_repo(REPO, "model", private=True, space_sdk=None)
    bad = Hub(make_api(hub_sandbox.endpoint, "hf_" + "x" * 34))
    with pytest.raises(AuthError, match="rejected the token .* Next: create a new token"):
        bad.whoami()


def test_stale_parent_is_its_own_error(hub, hub_sandbox):
    from huggingface_hub import CommitOperationAdd

    stale = hub.head(REPO, "model", "main")
    hub.commit(
        REPO,
        "model",
        [CommitOperationAdd("a.txt", b"a")],
        title="a",
        description="",
        revision="main",
        parent_commit=stale,
        create_pr=False,
    )
    with pytest.raises(StaleHeadError, match="the branch moved"):
        hub.commit(
            REPO,
            "model",
            [CommitOperationAdd("b.txt", b"b")],
            title="b",
            description="",
            revision="main",
            parent_commit=stale,
            create_pr=False,
        )


def test_unreachable_endpoint_is_a_network_error():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hub = Hub(make_api(f"http://127.0.0.1:{port}", "hf_" + "y" * 34))
    with pytest.raises(TransientHubError, match=rf"could not reach http://127.0.0.1:{port}.*Next: check the network"):
        hub.repo_exists(REPO, "model")
