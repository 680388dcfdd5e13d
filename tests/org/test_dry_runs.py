"""Every org command without --apply (migrate: with --dry-run) only reads: the sandbox's request
log holds no write, no file of the user's repo changes (the decision log included), and the plan
is what the command prints first. The CLI as a subprocess, the real client, the sandbox."""

from __future__ import annotations

import subprocess

import pytest

from hf_publish.sandbox import Sandbox
from tests.org.test_access_sandbox import POLICY as ACCESS_POLICY
from tests.org.test_access_sandbox import REPO, gated_repo
from tests.org.test_migrate_sandbox import DST, SRC, personal_repo

pytestmark = pytest.mark.skipif(
    not hasattr(Sandbox, "request_access"), reason="the sandbox does not serve the org endpoints yet"
)

MEMBERS = (
    "email,role,name,username\nalice@acme-ai.example,admin,Alice Admin,alice\n"
    "frank@partner.example,read,Frank Partner,frank\n"
)
LOG = '{"what": "accept", "applied": true, "repo": "acme-ai/gated-model-v1", "who": "grace", "when": "2026-01-01T00:00:00+00:00"}\n'

COMMANDS = {
    "access review": (["access", "review"], f"{REPO} (gated: manual): 2 pending"),
    "access review --log": (["access", "review", "--log", "decisions.jsonl"], f"{REPO} (gated: manual)"),
    "access grant": (["access", "grant", "eve", "gated-model-v1"], f"{REPO} (gated: manual): grant eve"),
    "members diff": (["members", "diff"], "missing  frank <frank@partner.example> (read)"),
    "migrate --dry-run": (["migrate", SRC, DST, "--dry-run", "--write-policy"], f"migrate {SRC} -> {DST}"),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_without_apply_nothing_is_written_and_the_plan_comes_first(name, org_sandbox, cli, policy_repo):
    argv, first = COMMANDS[name]
    gated_repo(org_sandbox)
    for user in ("frank", "mallory"):
        org_sandbox.request_access(REPO, user)
    personal_repo(org_sandbox)
    repo = policy_repo(ACCESS_POLICY, members__csv=MEMBERS, decisions__jsonl=LOG)
    org_sandbox.clear_log()
    token = "alice-fg-both" if argv[0] == "migrate" else "alice-fg-org"
    result = cli(token, *argv, cwd=repo)
    assert result.returncode in (0, 1), result.stdout + result.stderr  # members diff: 1, it differs
    assert result.stdout.splitlines()[0].startswith(first), result.stdout
    writes = [f"{r.method} {r.path}" for r in org_sandbox.requests if r.method not in ("GET", "HEAD")]
    assert writes == [], writes
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert status == "", status  # the policy, the members file and the decision log untouched
