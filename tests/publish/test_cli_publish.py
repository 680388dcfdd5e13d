"""`hf-publish publish` end to end: output formats, exit codes, checks first, no token in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hf_publish.cli import main
from hf_publish.errors import EXIT_FINDINGS, EXIT_HUB, EXIT_OK, EXIT_USAGE
from tests.publish.helpers import REPO, git, write_requests

LEAKED = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"  # token-shaped, known to no Hub


def _run(capsys, checkout, hub_sandbox, *extra: str) -> tuple[int, str, str]:
    code = main(["publish", "--path", str(checkout.path), "--endpoint", hub_sandbox.endpoint, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_has_the_documented_shape(capsys, checkout, hub_sandbox, monkeypatch, upload_lane):
    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])

    code, out, _ = _run(capsys, checkout, hub_sandbox, "--format", "json", "--tag", "v1.0.0")

    assert code == EXIT_OK
    data = json.loads(out)
    assert set(data) == {"results", "findings"}
    (result,) = data["results"]
    assert set(result) == {
        "repo_id",
        "repo_type",
        "repo_url",
        "commit_sha",
        "commit_url",
        "pr_url",
        "tag",
        "changed",
        "created",
        "dry_run",
        "plan",
    }
    assert result["repo_id"] == REPO and result["created"] and result["changed"] and result["tag"] == "v1.0.0"
    assert result["commit_sha"] == hub_sandbox.head(REPO)
    assert result["commit_url"].endswith(result["commit_sha"])
    plan = result["plan"]
    assert set(plan) == {"add", "update", "delete", "files", "totals"}
    size = (checkout.path / "model.safetensors").stat().st_size
    assert {"path": "model.safetensors", "action": "add", "lfs": True, "size": size} in plan["files"]
    assert plan["totals"]["add"] == 3 and plan["totals"]["update"] == 1  # the Hub's own .gitattributes

    code, out, _ = _run(capsys, checkout, hub_sandbox, "--format", "json")
    again = json.loads(out)["results"][0]
    assert code == EXIT_OK and again["changed"] is False and again["plan"]["files"] == []


def test_findings_stop_the_publish_before_any_network_call(capsys, checkout, hub_sandbox, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])
    checkout.write("upload.py", f'HfApi(token="{LEAKED}")\n')

    code, out, err = _run(capsys, checkout, hub_sandbox, "--format", "json")

    assert code == EXIT_FINDINGS
    data = json.loads(out)
    assert data["results"] == [] and [f["check"] for f in data["findings"]] == ["secrets"]
    assert "nothing was published" in err
    assert hub_sandbox.requests == []
    assert LEAKED not in out + err


def test_github_format_prints_annotations_and_a_text_table(capsys, checkout, hub_sandbox, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])
    checkout.write("upload.py", f'token = "{LEAKED}"\n')
    code, out, _ = _run(capsys, checkout, hub_sandbox, "--format", "github")
    assert code == EXIT_FINDINGS and out.startswith("::error file=upload.py,line=1,")

    checkout.remove("upload.py")
    code, out, _ = _run(capsys, checkout, hub_sandbox, "--format", "github")
    assert code == EXIT_OK
    assert out.splitlines()[0].split() == ["REPO", "RESULT", "COMMIT", "+", "~", "-", "UPLOAD", "TAG"]

    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["dave-fg-org"])
    checkout.write("config.json", "{}\n")
    code, out, _ = _run(capsys, checkout, hub_sandbox, "--format", "github")
    assert code == EXIT_HUB and out.startswith("::error title=hf-publish publish::")


def test_publishing_from_the_protected_main_branch_is_not_refused(capsys, checkout, hub_sandbox, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])
    assert git(checkout.path, "branch", "--show-current").strip() == "main"
    code, out, _ = _run(capsys, checkout, hub_sandbox)
    assert code == EXIT_OK and "created, committed" in out


def test_dry_run_text_shows_each_file_with_its_kind_and_bytes(capsys, checkout, hub_sandbox, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-read"])
    code, out, err = _run(capsys, checkout, hub_sandbox, "--dry-run")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert any(line.split()[:4] == ["add", "LFS", "4.2", "kB"] and line.endswith("model.safetensors") for line in lines)
    assert any(line.split()[:2] == ["add", "regular"] and line.endswith("README.md") for line in lines)
    assert "totals: 4 add" in out and "does not exist" in out
    assert "a real publish would be refused" in err
    assert write_requests(hub_sandbox) == []


def test_usage_errors_exit_2(capsys, checkout, hub_sandbox, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", hub_sandbox.tokens["alice-fg-org"])
    assert _run(capsys, checkout, hub_sandbox, "no-such-repo-v1")[0] == EXIT_USAGE
    code, _, err = _run(capsys, checkout, hub_sandbox, "--tag", "v1.0.0", "--create-pr")
    assert code == EXIT_USAGE and "--create-pr" in err
    assert hub_sandbox.requests == []


def test_no_token_outside_dry_run_says_how_to_get_one(capsys, checkout, hub_sandbox):
    code, _, err = _run(capsys, checkout, hub_sandbox)
    assert code == EXIT_HUB
    assert "no Hugging Face token found" in err and "repo.write on org acme-ai" in err
    assert hub_sandbox.requests == []


@pytest.mark.parametrize("scenario", ["success", "refused", "hub-failure", "invalid-token", "debug-traceback"])
def test_the_token_never_appears_in_any_output(scenario, capsys, checkout, hub_sandbox, monkeypatch, upload_lane):
    token_name = {"refused": "dave-fg-org", "invalid-token": None}.get(scenario, "alice-fg-org")
    token = hub_sandbox.tokens[token_name] if token_name else "hf_" + "Zz" * 17
    monkeypatch.setenv("HF_TOKEN", token)
    if scenario == "hub-failure":
        hub_sandbox.inject(method="POST", path=r"/api/repos/create", status=500, times=None)
    if scenario == "debug-traceback":
        monkeypatch.setenv("HF_PUBLISH_DEBUG", "1")
        hub_sandbox.inject(method="GET", path=r"/api/whoami-v2", status=403, times=None)

    code, out, err = _run(capsys, checkout, hub_sandbox, "--format", "json")
    code_text, out_text, err_text = _run(capsys, checkout, hub_sandbox, "--dry-run")

    expected = {
        "success": EXIT_OK,
        "refused": EXIT_HUB,
        "hub-failure": EXIT_HUB,
        "invalid-token": EXIT_HUB,
        "debug-traceback": EXIT_HUB,
    }[scenario]
    assert code == expected
    everything = out + err + out_text + err_text
    assert token not in everything
    assert token[7:] not in everything  # not even the part a mask hides
    if scenario == "debug-traceback":
        assert "Traceback" in err


def test_sandbox_flag_publishes_on_a_throwaway_local_hub(checkout, tmp_path):
    env = {
        **os.environ,
        "HF_TOKEN": "hf_" + "Qq" * 17,
        "HF_HOME": str(tmp_path / "hf"),
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
    env.pop("HF_ENDPOINT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "hf_publish", "publish", "--sandbox", "--format", "json"],
        cwd=checkout.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == EXIT_OK, proc.stderr
    result = json.loads(proc.stdout)["results"][0]
    assert result["created"] and result["changed"] and result["repo_url"].startswith("http://127.0.0.1:")
    assert "token: alice-fg-org" in proc.stderr and "HF_TOKEN is not used" in proc.stderr
    assert env["HF_TOKEN"] not in proc.stdout + proc.stderr
