"""`migrate SRC DST` against the sandbox: checks on the repo as the Hub has it, preflight, move_repo,
the refusal path, --write-policy. Uploads in both lanes; the CLI as a subprocess."""

from __future__ import annotations

import pytest

from hf_publish.sandbox import Sandbox
from tests.publish.helpers import EXAMPLE, weights

pytestmark = pytest.mark.skipif(
    not hasattr(Sandbox, "request_access"), reason="the sandbox does not serve move_repo yet (sandbox-org branch)"
)

SRC, DST = "alice/bert-sentiment", "acme-ai/bert-korean-sentiment-v3"
POLICY = """\
# acme's policy
organization: acme-ai  # the Hub org
repos:
  - name: bert-korean-sentiment-v2   # the current model
    path: models/v2
"""


def personal_repo(sandbox, card: bytes | None = None, private: bool = True) -> None:
    from huggingface_hub import CommitOperationAdd, HfApi

    api = HfApi(endpoint=sandbox.endpoint, token=sandbox.tokens["alice-fg-both"])
    api.create_repo(SRC, private=private)
    ops = [
        CommitOperationAdd("README.md", card or (EXAMPLE / "README.md").read_bytes()),
        CommitOperationAdd("config.json", (EXAMPLE / "config.json").read_bytes()),
        CommitOperationAdd("model.safetensors", weights(2_000_000)),
    ]
    api.create_commit(SRC, ops, commit_message="my model")


def moves(sandbox) -> list:
    return [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/api/repos/move")]


def test_dry_run_checks_and_plans_and_moves_nothing(org_sandbox, cli, policy_repo, upload_lane):
    personal_repo(org_sandbox)
    repo = policy_repo(POLICY)
    org_sandbox.clear_log()
    result = cli("alice-fg-both", "migrate", SRC, DST, "--dry-run", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "checks: 4 file(s) on alice/bert-sentiment (README.md and .gitattributes read, no weights downloaded)" in out
    assert f"preflight: {DST}: does not exist; may create it: yes" in out
    assert "dry run: a migrate would move" in out and "- name: bert-korean-sentiment-v3" in out
    assert moves(org_sandbox) == [] and not [r for r in org_sandbox.requests if r.method not in ("GET", "HEAD")]
    assert not [r for r in org_sandbox.requests if "model.safetensors" in r.path]  # no weights downloaded


def test_move_keeps_history_and_writes_the_policy_entry_keeping_comments(org_sandbox, cli, policy_repo, upload_lane):
    from huggingface_hub import HfApi

    personal_repo(org_sandbox)
    before = org_sandbox.commits(SRC)
    repo = policy_repo(POLICY)
    result = cli("alice-fg-both", "migrate", SRC, DST, "--write-policy", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"moved: {org_sandbox.endpoint}/{DST}" in result.stdout
    assert org_sandbox.commits(DST) == before  # the same commits: history kept
    api = HfApi(endpoint=org_sandbox.endpoint, token=org_sandbox.tokens["alice-fg-both"])
    assert api.model_info(SRC).id == DST  # the old id redirects
    policy = (repo / ".hf-publish.yaml").read_text()
    assert policy.startswith(POLICY)  # comments and layout kept
    assert policy[len(POLICY) :] == (
        "  - name: bert-korean-sentiment-v3\n    path: .  # the folder that holds its files in this git repo\n"
    )


def test_card_errors_stop_before_the_move(org_sandbox, cli, policy_repo):
    personal_repo(org_sandbox, card=b"# my model\n\nTODO\n")
    result = cli("alice-fg-both", "migrate", SRC, DST, cwd=policy_repo(POLICY))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "alice/bert-sentiment@" in result.stdout and ":README.md: [model-card]" in result.stdout
    assert "nothing was moved" in result.stdout and moves(org_sandbox) == []


def test_a_token_without_rights_is_stopped_by_the_preflight(org_sandbox, cli, policy_repo):
    personal_repo(org_sandbox, private=False)
    result = cli("alice-fg-org", "migrate", SRC, DST, cwd=policy_repo(POLICY))  # no write on user alice
    assert result.returncode == 4, result.stdout + result.stderr
    assert "refused: the token's scope has no repo.write on user alice" in result.stdout
    assert "this token cannot move the repo" in result.stderr and "Fix:" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Next: fix each, then check again without moving")
    assert moves(org_sandbox) == []
    private = cli("alice-fg-org", "migrate", "alice/other", DST, cwd=policy_repo(POLICY))  # cannot even see it
    assert private.returncode == 4 and "not found, or this token cannot see it" in private.stderr


def test_a_refused_move_prints_the_history_keeping_copy(org_sandbox, cli, policy_repo):
    personal_repo(org_sandbox)
    org_sandbox.inject("POST", r"/api/repos/move$", status=403)
    result = cli("alice-fg-both", "migrate", SRC, DST, cwd=policy_repo(POLICY))
    assert result.returncode == 4, result.stdout + result.stderr
    out = result.stdout
    assert "the Hub refused the move" in out and "nothing was copied" in out
    assert f"git clone --mirror {org_sandbox.endpoint}/{SRC}" in out
    assert f"git push --force {org_sandbox.endpoint}/{DST} 'refs/heads/*:refs/heads/*'" in out
    assert "(part N)" in out and "does not serve git" in out


def test_a_refused_move_ends_with_the_next_step_on_stderr(org_sandbox, cli, policy_repo):
    personal_repo(org_sandbox)
    org_sandbox.inject("POST", r"/api/repos/move$", status=403)
    result = cli("alice-fg-both", "migrate", SRC, DST, cwd=policy_repo(POLICY))
    assert result.returncode == 4, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("hf-publish: error: the Hub refused to move") and "Next: ask the owner of" in last
    assert f"{org_sandbox.endpoint}/{SRC}/settings" in last  # the endpoint in use, not huggingface.co
    assert "huggingface.co" not in result.stdout + result.stderr


def test_a_move_to_a_taken_name_is_not_answered_with_a_copy(org_sandbox, cli, policy_repo):
    personal_repo(org_sandbox)
    org_sandbox.inject("POST", r"/api/repos/move$", status=409, times=1)  # taken between preflight and move
    result = cli("alice-fg-both", "migrate", SRC, DST, cwd=policy_repo(POLICY))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "git clone --mirror" not in result.stdout and "Next:" in result.stderr
    assert org_sandbox.commits(SRC)  # still where it was


def test_a_second_migrate_of_a_moved_repo_says_it_moved(org_sandbox, cli, policy_repo):
    personal_repo(org_sandbox)
    repo = policy_repo(POLICY)
    assert cli("alice-fg-both", "migrate", SRC, DST, cwd=repo).returncode == 0
    org_sandbox.clear_log()
    again = cli("alice-fg-both", "migrate", SRC, "acme-ai/bert-korean-sentiment-v4", cwd=repo)
    assert again.returncode == 2, again.stdout + again.stderr
    assert f"{SRC} was already moved: the Hub redirects it to {DST}" in again.stderr
    assert "Next: nothing to move" in again.stderr and "git clone --mirror" not in again.stdout
    assert moves(org_sandbox) == []


def test_a_dry_run_the_preflight_refuses_exits_4_and_writes_nothing(org_sandbox, cli, policy_repo):
    personal_repo(org_sandbox, private=False)
    org_sandbox.clear_log()
    result = cli("alice-fg-org", "migrate", SRC, DST, "--dry-run", cwd=policy_repo(POLICY))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "dry run: a migrate would be refused by the preflight above" in result.stdout
    assert "Next: fix each" in result.stderr
    assert not [r for r in org_sandbox.requests if r.method not in ("GET", "HEAD")]


def test_an_unknown_src_names_the_next_step_for_migrate(org_sandbox, cli, policy_repo):
    result = cli("alice-fg-both", "migrate", "alice/no-such-model", DST, "--dry-run", cwd=policy_repo(POLICY))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Next: check SRC (namespace/name) and --type (model)" in result.stderr


def test_a_policy_that_cannot_take_the_entry_still_gets_it_printed_after_the_move(org_sandbox, cli, policy_repo):
    personal_repo(org_sandbox)
    other = "organization: other-org\nrepos:\n  - name: x-model-v1\n"
    repo = policy_repo(other)
    result = cli("alice-fg-both", "migrate", SRC, DST, "--write-policy", cwd=repo)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"moved: {org_sandbox.endpoint}/{DST}" in result.stdout
    assert "policy entry (add it to the policy by hand):" in result.stdout
    assert "- name: bert-korean-sentiment-v3" in result.stdout
    assert f"{DST} was moved, but the policy was not changed" in result.stderr and "Next:" in result.stderr
    assert (repo / ".hf-publish.yaml").read_text() == other
