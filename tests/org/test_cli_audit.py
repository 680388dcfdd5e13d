"""`hf-publish org audit` as a user runs it: a subprocess against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema

from tests.org.conftest import ORG, admin_token


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hf_publish", *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def user_env(sandbox, tmp_path: Path, token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "GITHUB_"))}
    env.update(HF_HOME=str(tmp_path / "hf"), XDG_CACHE_HOME=str(tmp_path / "cache"), HF_HUB_DISABLE_TELEMETRY="1")
    if token:
        env["HF_TOKEN"] = token
    return env


def test_json_report_validates_and_errors_exit_1(audit_org, tmp_path: Path):
    env = user_env(audit_org, tmp_path, admin_token(audit_org))
    result = run(["org", "audit", ORG, "--endpoint", audit_org.endpoint, "--format", "json"], tmp_path, env)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    schema = json.loads(resources.files("hf_publish.data").joinpath("org-audit.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(
        data
    )
    assert data["summary"]["repos"] == 120 and data["summary"]["findings"]["error"] > 0
    assert "(read-only)" in result.stderr and "error(s)" in result.stderr
    assert admin_token(audit_org) not in result.stdout + result.stderr
    # --fail-on never: the same findings, exit 0; the second run reads every card from the cache
    again = run(
        ["org", "audit", ORG, "--endpoint", audit_org.endpoint, "--format", "json", "--fail-on", "never"], tmp_path, env
    )
    assert again.returncode == 0
    assert json.loads(again.stdout)["cache"]["cards_downloaded"] == 0


def test_the_policy_gives_the_org_and_the_html_report_is_written(audit_org, tmp_path: Path):
    (tmp_path / ".hf-publish.yaml").write_text(f"organization: {ORG}\norg:\n  plan: team\n  seats: 2\n")
    env = user_env(audit_org, tmp_path, admin_token(audit_org))
    result = run(
        [
            "org",
            "audit",
            "--endpoint",
            audit_org.endpoint,
            "--format",
            "html",
            "--output",
            "audit.html",
            "--type",
            "model",
            "--since",
            "30d",
        ],
        tmp_path,
        env,
    )
    assert result.returncode == 1, result.stderr
    page = (tmp_path / "audit.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and f"Org audit: {ORG}" in page
    assert "2 TB" in page  # team plan, 2 seats
    assert "report written to audit.html" in result.stderr and result.stdout == ""


def test_text_report_without_a_token_says_public_only(audit_org, tmp_path: Path):
    result = run(
        ["org", "audit", ORG, "--endpoint", audit_org.endpoint, "--fail-on", "never"],
        tmp_path,
        user_env(audit_org, tmp_path, None),
    )
    assert result.returncode == 0, result.stderr
    assert "note: no token: the audit sees public repos only" in result.stdout
    assert "Storage (plan free" in result.stdout and "Activity in the last 7 days" in result.stdout


def test_usage_errors_exit_2_with_the_next_step(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    result = run(["org", "audit"], tmp_path, env)
    assert result.returncode == 2 and "name it (hf-publish org audit ORG)" in result.stderr
    result = run(["org", "audit", "acme", "--since", "soon"], tmp_path, env)
    assert result.returncode == 2 and "--since 'soon'" in result.stderr and "Traceback" not in result.stderr
    result = run(["org"], tmp_path, env)
    assert result.returncode == 2 and "hf-publish org audit [ORG]" in result.stderr
