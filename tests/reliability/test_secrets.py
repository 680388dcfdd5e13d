"""A known token never shows: every CLI path, the action (directly and under act), the job summary,
annotations, $GITHUB_OUTPUT, the sandbox's request log (headers included) and what reached the Hub.
And a leaked token in the content is caught by hf-publish before the Hub refuses it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hf_publish.errors import EXIT_FINDINGS, EXIT_HUB, EXIT_OK, EXIT_USAGE
from hf_publish.sandbox.auth import READ, WRITE, Token
from tests.action.conftest import (  # noqa: F401
    FIXTURES,
    action_checkout,
    consumer,
    run_act,
    setup_python_stand_in,
    wheelhouse,
)
from tests.action.test_gh_action import gh_action
from tests.reliability.helpers import REPO, git, write_requests

# The CI token under test: NOT hf_-shaped, so only hf-publish's registered-secret redaction can
# hide it (the hf_ regex cannot). The sandbox learns it as a fine-grained org token of alice.
SECRET = "acmeci_" + "7d1e9c2b4f6a8e0d3c5b7a9f1e2d4c6b"
LEAK = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"  # token-shaped, in a file about to be committed


@pytest.fixture
def known_token(hub_sandbox) -> Token:
    token = Token(
        name="ci-token",
        value=SECRET,
        user="alice",
        role="fineGrained",
        scoped=[{"entity": {"type": "org", "name": "acme-ai"}, "permissions": [WRITE, READ]}],
    )
    hub_sandbox.auth.tokens[token.name] = token
    hub_sandbox.auth._by_value[token.value] = token
    return token


@dataclass
class Transcript:
    """Every text a run produced, by where it went."""

    texts: dict[str, str] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, code: int, **texts: str) -> None:
        self.codes[label] = code
        for where, text in texts.items():
            self.texts[f"{label}: {where}"] = text

    def leaks(self, secret: str) -> list[str]:
        return [where for where, text in self.texts.items() if secret in text]


def cli(transcript: Transcript, label: str, cwd: Path, *argv: str, env: dict | None = None) -> int:
    proc = subprocess.run(
        ["hf-publish", *argv], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300
    )
    transcript.add(label, proc.returncode, stdout=proc.stdout, stderr=proc.stderr)
    assert "Traceback" not in proc.stderr or (env or {}).get("HF_PUBLISH_DEBUG"), proc.stderr
    return proc.returncode


def test_the_token_never_appears_on_any_cli_path(known_token, hub_sandbox, checkout, tmp_path, monkeypatch):
    env = {"HF_TOKEN": SECRET, "HF_ENDPOINT": hub_sandbox.endpoint}
    monkeypatch.setenv("HF_TOKEN", SECRET)  # also in the environment the in-process sandbox sees
    t = Transcript()
    path = str(checkout.path)
    publish = ["publish", "--path", path, "--endpoint", hub_sandbox.endpoint]

    # checks, in every format, on a repo that hard-codes the token and a token-shaped string
    leaky = tmp_path / "leaky"
    shutil.copytree(checkout.path, leaky)
    (leaky / "upload.py").write_text(
        f'from huggingface_hub import HfApi\napi = HfApi(token="{SECRET}")\nother = "{LEAK}"\n'
    )
    (leaky / ".env").write_text(f"HF_TOKEN={SECRET}\n")
    git(leaky, "add", "-A")
    for fmt in ("text", "github", "json"):
        assert cli(t, f"check {fmt}", leaky, "check", "--all-files", "--format", fmt, env=env) == EXIT_FINDINGS
        assert (
            cli(t, f"check secrets {fmt}", leaky, "check", "secrets", "upload.py", ".env", "--format", fmt, env=env)
            == EXIT_FINDINGS
        )
    assert cli(t, "publish with a leak", leaky, "publish", "--endpoint", hub_sandbox.endpoint, env=env) == EXIT_FINDINGS

    # publish: dry run, each format, a release, a no-op
    assert cli(t, "dry run", checkout.path, *publish, "--dry-run", env=env) == EXIT_OK
    assert cli(t, "publish text", checkout.path, *publish, env=env) == EXIT_OK
    checkout.write("config.json", '{"v": 2}\n')
    assert cli(t, "publish json", checkout.path, *publish, "--format", "json", env=env) == EXIT_OK
    checkout.write("config.json", '{"v": 3}\n')
    assert (
        cli(t, "publish github", checkout.path, *publish, "--format", "github", "--tag", "v1.0.0", env=env) == EXIT_OK
    )
    assert cli(t, "publish no-op", checkout.path, *publish, env=env) == EXIT_OK
    checkout.write("config.json", '{"v": 4}\n')

    # Hub and auth failures: 401, a 403 from the Hub, 5xx, rate limit, a refused token; with tracebacks
    known_token.expired = True
    assert cli(t, "401", checkout.path, *publish, env=env) == EXIT_HUB
    assert cli(t, "401 debug", checkout.path, *publish, env={**env, "HF_PUBLISH_DEBUG": "1"}) == EXIT_HUB
    assert cli(t, "401 github", checkout.path, *publish, "--format", "github", env=env) == EXIT_HUB
    known_token.expired = False
    hub_sandbox.inject(method="POST", path=r"/preupload/", status=403, times=None)
    assert cli(t, "403", checkout.path, *publish, "--format", "github", env=env) == EXIT_HUB
    hub_sandbox.clear_faults()
    hub_sandbox.inject(method="GET", path=r"/whoami-v2", status=503, times=None)
    assert cli(t, "503 debug", checkout.path, *publish, env={**env, "HF_PUBLISH_DEBUG": "1"}) == EXIT_HUB
    hub_sandbox.clear_faults()
    hub_sandbox.inject(method="POST", path=r"/commit/", status=429, retry_after=3600, times=None)
    assert cli(t, "429", checkout.path, *publish, "--format", "json", env=env) == EXIT_HUB
    hub_sandbox.clear_faults()
    known_token.revoked_in.append("acme-ai")
    assert cli(t, "revoked", checkout.path, *publish, env=env) == EXIT_HUB
    known_token.revoked_in.clear()
    assert cli(t, "bad tag", checkout.path, *publish, "--tag", "latest", env=env) == EXIT_USAGE

    # the other commands
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q", "-b", "main")
    assert cli(t, "init", fresh, "init", "--org", "acme-ai", "--name", "kor-sentiment-v1", env=env) == EXIT_OK
    assert cli(t, "matrix", checkout.path, "matrix", env=env) == EXIT_OK
    assert cli(t, "schema", checkout.path, "schema", env=env) == EXIT_OK
    cli(
        t,
        "refresh-vocab",
        checkout.path,
        "refresh-vocab",
        "--endpoint",
        hub_sandbox.endpoint,
        "--output",
        str(tmp_path),
        env=env,
    )
    assert cli(t, "no command", checkout.path, env=env) == EXIT_USAGE

    assert [r for r in hub_sandbox.requests if r.token_name == "ci-token"], "the token was never even used"
    assert any("acme\u2026" in text for text in t.texts.values())  # the findings name it, masked
    assert t.leaks(SECRET) == []
    assert [where for where, text in t.texts.items() if LEAK in text] == []
    _assert_hub_never_saw(hub_sandbox, SECRET)


def _assert_hub_never_saw(sandbox, secret: str) -> None:
    """Not in any logged request (path, query, headers) and not in anything the Hub stored."""
    for record in sandbox.requests:
        assert secret not in repr(record), record.path
        assert secret not in json.dumps(record.headers)
    for stored in Path(sandbox.data_dir).rglob("*"):
        if stored.is_file():
            assert secret.encode() not in stored.read_bytes(), stored


def test_the_token_never_appears_from_the_action_step(known_token, hub_sandbox, tmp_path):
    repo = tmp_path / "workspace"
    shutil.copytree(FIXTURES / "consumer", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "consumer")
    t = Transcript()

    def step(label: str, **inputs: str):
        run_dir = tmp_path / label.replace(" ", "-")
        run_dir.mkdir()
        result = gh_action(repo, run_dir, **inputs)
        t.add(
            label,
            result.returncode,
            stdout=result.stdout.replace(f"::add-mask::{SECRET}", ""),
            stderr=result.stderr,
            summary=result.summary,
            outputs=json.dumps(result.outputs),
        )
        return result

    assert step("publish", token=SECRET, endpoint=hub_sandbox.endpoint).returncode == 0
    assert step("dry run", token=SECRET, endpoint=hub_sandbox.endpoint, dry_run="true").returncode == 0
    known_token.expired = True
    assert step("401", token=SECRET, endpoint=hub_sandbox.endpoint).returncode == EXIT_HUB
    known_token.expired = False
    card = repo / "model" / "README.md"
    card.write_text(card.read_text() + f'\n```python\nHfApi(token="{SECRET}")\n```\n')
    git(repo, "commit", "-q", "-am", "a leak in the card")
    failing = step("findings", token=SECRET, endpoint=hub_sandbox.endpoint)
    assert failing.returncode == EXIT_FINDINGS and failing.commands("error")

    assert t.leaks(SECRET) == []
    _assert_hub_never_saw(hub_sandbox, SECRET)


@pytest.mark.act
@pytest.mark.slow
def test_the_token_never_appears_under_act(known_token, hub_sandbox, consumer, run_act):
    card = consumer / "model" / "README.md"
    run = run_act(
        consumer,
        "push",
        {
            "ref": "refs/heads/main",
            "before": "0" * 40,
            "repository": {"full_name": "acme-ai/models", "default_branch": "main"},
        },
        endpoint=hub_sandbox.endpoint,
        token=SECRET,
    )
    assert run.returncode == 0, run.log[-3000:]
    assert hub_sandbox.head("acme-ai/kor-sentiment-v1") == run.outputs["COMMIT_SHA"]

    card.write_text(card.read_text() + f"\nHF_TOKEN={SECRET}\n")
    git(consumer, "commit", "-q", "-am", "a leak")
    failing = run_act(
        consumer,
        "push",
        {
            "ref": "refs/heads/main",
            "before": "0" * 40,
            "repository": {"full_name": "acme-ai/models", "default_branch": "main"},
        },
        endpoint=hub_sandbox.endpoint,
        token=SECRET,
    )
    assert failing.returncode != 0 and failing.lines("::error file=model/README.md")

    for result in (run, failing):
        assert SECRET not in result.log and SECRET not in result.summary
        assert all(SECRET not in value for value in result.outputs.values())
    _assert_hub_never_saw(hub_sandbox, SECRET)


# --- a token in the content --------------------------------------------------------------------------


def test_the_sandbox_refuses_a_commit_holding_a_token_as_the_hub_does(hub_api, hub_sandbox, upload_lane):
    from huggingface_hub import CommitOperationAdd
    from huggingface_hub.errors import HfHubHTTPError

    api = hub_api("alice-write")
    api.create_repo(REPO)
    head = hub_sandbox.head(REPO)
    for name, data in (
        ("upload.py", f'token = "{LEAK}"\n'.encode()),
        ("notes.bin", f"{LEAK}\n".encode()),  # an LFS file (the Hub's .gitattributes)
        ("weights.pt", b"\0\1" + LEAK.encode()),
    ):  # binary, LFS, both lanes
        with pytest.raises(HfHubHTTPError) as caught:
            api.create_commit(REPO, operations=[CommitOperationAdd(name, data)], commit_message=f"add {name}")
        assert caught.value.response.status_code == 400
        assert "contain valid Hugging Face secrets" in str(caught.value) and name in str(caught.value)
    assert hub_sandbox.head(REPO) == head


def test_publish_catches_a_token_before_any_request(checkout, hub_sandbox, monkeypatch, capsys):
    from hf_publish.cli import main

    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])
    checkout.write("scripts/upload.py", f'HfApi(token="{LEAK}")\n')
    checkout.commit("a leak")

    code = main(["publish", "--path", str(checkout.path), "--endpoint", hub_sandbox.endpoint])

    out, err = capsys.readouterr()
    assert code == EXIT_FINDINGS
    assert "scripts/upload.py:1: [secrets] Hugging Face token hf_AbCd… hard-coded" in out
    assert hub_sandbox.requests == []  # not even whoami
    assert LEAK not in out + err


def test_publish_catches_a_token_in_a_small_lfs_file_before_uploading_it(checkout, hub_sandbox, monkeypatch, capsys):
    from hf_publish.cli import main

    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])
    checkout.write("notes.bin", f"token: {LEAK}\n")  # *.bin is LFS-tracked
    checkout.commit("a leak in an LFS file")

    code = main(["publish", "--path", str(checkout.path), "--endpoint", hub_sandbox.endpoint])

    capsys.readouterr()
    assert code == EXIT_FINDINGS
    assert write_requests(hub_sandbox) == []
