import os
import sys
from pathlib import Path

import pytest

pytest_plugins = ["hf_publish.sandbox.pytest_plugin"]

# Tests run console scripts (`hf-publish`, `pre-commit`, `act`) by name: take them from the
# environment whose Python runs the tests, even when that environment is not activated.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture
def git_started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The arguments of every git the tool starts (what follows `git -C <root>`), in order."""
    from hf_publish import _git

    started: list[list[str]] = []
    real = _git._spawn

    def recording(argv: list[str], **kwargs: bool) -> object:
        started.append(argv[3:])
        return real(argv, **kwargs)

    monkeypatch.setattr(_git, "_spawn", recording)
    return started
