"""pytest fixtures: an isolated HF environment, a started sandbox, both upload lanes, a client factory.

Declared by ``tests/conftest.py`` with ``pytest_plugins = ["hf_publish.sandbox.pytest_plugin"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .api import Sandbox

_HF_VARS = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_HUB_OFFLINE",
    "HF_OIDC_RESOURCE",
    "HF_OIDC_ID_TOKEN",
    "HF_ENDPOINT",
)


@pytest.fixture(autouse=True)
def _hf_isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HF_HOME and caches in tmp_path, no token, no telemetry/update check/progress bars.

    Also empties the client's process-wide caches that outlive a sandbox: the xet connection info
    (keyed by URL + token, and ports get reused) and the OIDC exchanged token.
    """
    home = tmp_path / "hf_home"
    for var in _HF_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setenv("HF_XET_CACHE", str(home / "xet"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_UPDATE_CHECK", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from huggingface_hub import constants
    except ImportError:  # the sandbox itself does not need the client
        return
    # constants are read at import time: patch the module values too.
    monkeypatch.setattr(constants, "HF_HOME", str(home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(home / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(home / "stored_tokens"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_PROGRESS_BARS", True)
    monkeypatch.setattr(constants, "HF_XET_CACHE", str(home / "xet"))
    from huggingface_hub.utils import _auth, _xet

    monkeypatch.setattr(_xet, "XET_CONNECTION_INFO_CACHE", {})
    monkeypatch.setattr(_auth, "_OIDC_TOKEN_CACHE", None)
    from huggingface_hub.utils.tqdm import disable_progress_bars  # the same function huggingface_hub.utils re-exports

    disable_progress_bars()


@pytest.fixture
def hub_sandbox(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A started sandbox with its own data and CAS dirs, stopped after the test.

    HF_ENDPOINT, ``huggingface_hub.constants.ENDPOINT`` and the module-level client point at it, so
    code that relies on the default endpoint (``get_token()``'s OIDC exchange, ``hf_hub_url``,
    ``upload_file``, ``metadata_update``, ``RepoCard.validate``) reaches the sandbox too.
    """
    root = tmp_path_factory.mktemp("hub_sandbox")
    sandbox = Sandbox(data_dir=root / "data", cas_dir=root / "cas").start()
    monkeypatch.setenv("HF_ENDPOINT", sandbox.endpoint)
    try:
        from huggingface_hub import constants, hf_api

        monkeypatch.setattr(constants, "ENDPOINT", sandbox.endpoint)
        monkeypatch.setattr(
            constants, "HUGGINGFACE_CO_URL_TEMPLATE", sandbox.endpoint + "/{repo_id}/resolve/{revision}/{filename}"
        )
        # module-level helpers (upload_file, metadata_update, RepoCard.push_to_hub) use this client,
        # whose endpoint was fixed at import time
        monkeypatch.setattr(hf_api.api, "endpoint", sandbox.endpoint)
    except ImportError:
        pass
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture(params=["xet", "lfs"])
def upload_lane(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test in both upload lanes: xet (client default) and classic LFS (HF_HUB_DISABLE_XET=1)."""
    from huggingface_hub import constants

    disabled = request.param == "lfs"
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", disabled)
    if disabled:
        monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    else:
        monkeypatch.delenv("HF_HUB_DISABLE_XET", raising=False)
    lane: str = request.param
    return lane


@pytest.fixture
def hub_api(hub_sandbox: Sandbox) -> Callable[..., object]:
    """``hub_api("alice-write")`` -> an HfApi on the sandbox with that named token (None = anonymous)."""
    from huggingface_hub import HfApi

    def make(token_name: str | None = None) -> HfApi:
        token = hub_sandbox.tokens[token_name] if token_name else False
        return HfApi(endpoint=hub_sandbox.endpoint, token=token)

    return make
