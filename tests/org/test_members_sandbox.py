"""`members diff` against the sandbox's org members, the CLI as a subprocess."""

from __future__ import annotations

import pytest

from hf_publish.sandbox import Sandbox

pytestmark = pytest.mark.skipif(
    not hasattr(Sandbox, "request_access"), reason="the sandbox does not serve org members yet (sandbox-org branch)"
)

IN_SYNC = """\
email,role,name,username
alice@acme-ai.example,admin,Alice Admin,alice
bob@acme-ai.example,write,Bob Writer,bob
carol@acme-ai.example,contributor,Carol Contributor,carol
dave@acme-ai.example,read,Dave Reader,dave
"""


def test_in_sync_exits_0(org_sandbox, cli, policy_repo):
    repo = policy_repo("organization: acme-ai\n")
    (repo / "members.csv").write_text(IN_SYNC)
    result = cli("alice-fg-org", "members", "diff", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "members.csv and the members of acme-ai agree" in result.stdout


def test_differences_exit_1_with_the_manual_steps_and_no_write(org_sandbox, cli, policy_repo):
    text = IN_SYNC.replace("carol@acme-ai.example,contributor", "carol@acme-ai.example,write")
    text = text.replace("dave@acme-ai.example,read,Dave Reader,dave\n", "")
    text += "frank@partner.example,read,Frank Partner,frank\nnew@acme-ai.example,read,No Account,\n"
    repo = policy_repo("organization: acme-ai\nmembers:\n  file: org/members.csv\n")
    (repo / "org").mkdir()
    (repo / "org" / "members.csv").write_text(text)
    org_sandbox.clear_log()
    result = cli("alice-fg-org", "members", "diff", cwd=repo)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "missing  frank <frank@partner.example> (read): in org/members.csv:5, not a member of acme-ai" in out
    assert "extra    dave (read): a member of acme-ai, not in org/members.csv" in out
    assert "role     carol: contributor on the Hub, write in org/members.csv:4" in out
    assert "unknown  new@acme-ai.example (read): org/members.csv:6 has no username" in out
    assert "huggingface_hub 2.4.0 has no call to invite" in out
    assert f"{org_sandbox.endpoint}/organizations/acme-ai/settings/members" in out
    assert not [r for r in org_sandbox.requests if r.method != "GET"]


def test_an_invalid_file_is_reported_before_the_hub_is_asked(org_sandbox, cli, policy_repo):
    repo = policy_repo("organization: acme-ai\n")
    (repo / "members.csv").write_text("email,role,name\nbob@acme-ai.example,owner,Bob\n")
    org_sandbox.clear_log()
    result = cli("alice-fg-org", "members", "diff", cwd=repo)
    assert result.returncode == 1 and "members.csv:2: [members] role 'owner'" in result.stdout
    assert org_sandbox.requests == []


def test_an_unknown_org_names_the_next_step(org_sandbox, cli, policy_repo):
    repo = policy_repo("organization: acme-ai\n")
    (repo / "members.csv").write_text(IN_SYNC)
    result = cli("alice-fg-org", "members", "diff", "--org", "no-such-org", cwd=repo)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Next: check the organization's name" in result.stderr and "HF_PUBLISH_DEBUG" not in result.stderr
    assert f"{org_sandbox.endpoint}/no-such-org" in result.stderr


def test_without_a_token_the_diff_still_compares_and_says_roles_were_not_reported(org_sandbox, cli, policy_repo):
    repo = policy_repo("organization: acme-ai\n")
    (repo / "members.csv").write_text(
        IN_SYNC.replace("carol@acme-ai.example,contributor", "carol@acme-ai.example,write")
    )
    result = cli(None, "members", "diff", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr  # the role difference is invisible without admin
    assert "the Hub did not report every member's role to this token" in result.stdout
    assert "agree" in result.stdout
