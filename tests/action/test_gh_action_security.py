"""`hf-publish gh-action` run directly (as action.yml runs it): token masking, the token rules of
pull-request events, release tags off the default branch, one tag rule for the Action and publish."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.action.runner_model import commands
from tests.action.test_gh_action import REPO_ID, REPOSITORY, checkout, gh_action  # noqa: F401 (fixture)
from tests.helpers import git

PR_PAYLOAD = {
    "repository": REPOSITORY,
    "pull_request": {
        "head": {"repo": {"full_name": "acme-ai/models"}},
        "base": {"repo": {"full_name": "acme-ai/models"}},
    },
}


def masks(stdout: str) -> list[str]:
    return [line[len("::add-mask::") :] for line in stdout.splitlines() if line.startswith("::add-mask::")]


@pytest.mark.parametrize("bad", ["hf_first\nhf_second_line_of_it", "hf_abc\rdef_ghijkl", "hf_tab\tinside_token_x"])
def test_a_token_with_a_control_character_is_refused_every_line_masked_and_never_shown(
    checkout, tmp_path, hub_sandbox, bad
):
    step = gh_action(checkout, tmp_path, token=bad, endpoint=hub_sandbox.endpoint)
    assert step.returncode == 4
    lines = [part for part in bad.replace("\r", "\n").split("\n") if part.strip()]
    assert masks(step.stdout)[: len(lines)] == [line.replace("\t", "\t") for line in lines]
    (error,) = step.commands("error")
    assert "control character" in error and f"{hub_sandbox.endpoint}/settings/tokens" in error  # this run's Hub
    rest = "\n".join(line for line in step.stdout.splitlines() if not line.startswith("::add-mask::"))
    for line in lines:
        assert line not in rest + step.stderr + step.summary
    assert hub_sandbox.requests == []


def test_a_percent_in_a_token_is_escaped_so_the_runner_masks_exactly_it(checkout, tmp_path, hub_sandbox):
    token = "hf_abc%0Adef%25ghij"
    step = gh_action(checkout, tmp_path, token=token, endpoint=hub_sandbox.endpoint, dry_run="true")
    (masked,) = set(masks(step.stdout))
    # the runner unescapes %25 -> %, %0A -> newline, %0D -> CR: what it registers must be the token
    assert masked.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%") == token


def test_the_trusted_publishing_token_is_masked_as_soon_as_it_exists(checkout, tmp_path, hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO_ID)
    id_token = hub_sandbox.oidc_id_tokens[0]
    step = gh_action(checkout, tmp_path, hf_oidc_id_token=id_token, endpoint=hub_sandbox.endpoint)
    assert step.returncode == 0, step.stdout + step.stderr
    found = masks(step.stdout)
    assert found[0] == id_token  # the id token itself, first
    (exchanged,) = [m for m in found if m != id_token]
    lines = step.stdout.splitlines()
    mask_at = lines.index(f"::add-mask::{exchanged}")
    assert all("preflight" not in line for line in lines[:mask_at])  # masked before the token was used
    elsewhere = (
        "\n".join(lines[:mask_at] + lines[mask_at + 1 :]) + step.stderr + step.summary + json.dumps(step.outputs)
    )
    assert exchanged not in elsewhere and id_token not in elsewhere.replace(f"::add-mask::{id_token}", "")


def test_on_a_pull_request_the_token_is_never_used_even_with_mode_publish(checkout, tmp_path, hub_sandbox):
    token = hub_sandbox.tokens["bob-fg-org"]
    step = gh_action(
        checkout,
        tmp_path,
        event="pull_request",
        ref="refs/pull/3/merge",
        payload=PR_PAYLOAD,
        mode="publish",
        token=token,
        endpoint=hub_sandbox.endpoint,
    )
    assert step.returncode == 0, step.stdout + step.stderr
    (notice,) = step.commands("notice")
    assert "never uses a token" in notice
    assert hub_sandbox.requests == [] and hub_sandbox.head(REPO_ID) is None


@pytest.mark.parametrize("mode", ["publish", "release"])
def test_pull_request_target_with_a_publishing_mode_is_refused(checkout, tmp_path, hub_sandbox, mode):
    step = gh_action(
        checkout,
        tmp_path,
        event="pull_request_target",
        ref="refs/heads/main",
        payload=PR_PAYLOAD,
        mode=mode,
        token=hub_sandbox.tokens["bob-fg-org"],
        endpoint=hub_sandbox.endpoint,
    )
    assert step.returncode == 2
    (error,) = step.commands("error")
    assert "pull_request_target is refused" in error and "secrets" in error
    assert hub_sandbox.requests == []


def release_off_main(checkout):
    """A tag on a commit that never reached main (a branch of its own)."""
    git(checkout, "switch", "-q", "-c", "feature/unmerged")
    (checkout / "model" / "extra.txt").write_text("not on main\n")
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "unmerged work")
    git(checkout, "tag", "v1.0.0")


def test_a_release_tag_off_the_default_branch_is_refused(checkout, tmp_path, hub_sandbox):
    release_off_main(checkout)
    step = gh_action(
        checkout,
        tmp_path,
        ref="refs/tags/v1.0.0",
        token=hub_sandbox.tokens["bob-fg-org"],
        endpoint=hub_sandbox.endpoint,
    )
    assert step.returncode == 2, step.stdout + step.stderr
    (error,) = step.commands("error")
    assert "not on the default branch main" in error and "require_on_default_branch" in error
    assert hub_sandbox.requests == [] and hub_sandbox.head(REPO_ID) is None


def test_a_release_tag_off_the_default_branch_is_released_when_the_policy_allows_it(checkout, tmp_path, hub_sandbox):
    policy = checkout / ".hf-publish.yaml"
    policy.write_text(policy.read_text() + "release:\n  require_on_default_branch: false\n")
    git(checkout, "commit", "-q", "-am", "allow releases from any branch")
    release_off_main(checkout)
    step = gh_action(
        checkout,
        tmp_path,
        ref="refs/tags/v1.0.0",
        token=hub_sandbox.tokens["bob-fg-org"],
        endpoint=hub_sandbox.endpoint,
    )
    assert step.returncode == 0, step.stdout + step.stderr
    assert step.outputs["tag"] == "v1.0.0"


def test_a_release_tag_on_main_is_released_and_origin_main_is_what_counts(checkout, tmp_path, hub_sandbox):
    git(checkout, "tag", "v1.0.0")
    git(checkout, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(checkout, "switch", "-q", "-c", "other")  # the local main is not what decides
    git(checkout, "branch", "-q", "-f", "main", "HEAD~0")
    step = gh_action(
        checkout,
        tmp_path,
        ref="refs/tags/v1.0.0",
        token=hub_sandbox.tokens["bob-fg-org"],
        endpoint=hub_sandbox.endpoint,
    )
    assert step.returncode == 0, step.stdout + step.stderr
    assert step.outputs["tag"] == "v1.0.0"


def test_the_action_and_publish_apply_one_full_match_tag_rule(checkout, tmp_path, hub_sandbox):
    policy = checkout / ".hf-publish.yaml"
    policy.write_text(policy.read_text() + "release:\n  tag_pattern: 'v\\d+'\n")
    git(checkout, "commit", "-q", "-am", "short tags")
    git(checkout, "tag", "nightly-v2")
    token = hub_sandbox.tokens["bob-fg-org"]
    auto = gh_action(checkout, tmp_path, ref="refs/tags/nightly-v2", token=token, endpoint=hub_sandbox.endpoint)
    assert auto.returncode == 0 and auto.outputs["tag"] == ""  # not a release: `v\d+` does not FULLY match
    (notice,) = auto.commands("notice")
    assert "does not match release.tag_pattern" in notice
    forced = gh_action(
        checkout, tmp_path, ref="refs/tags/nightly-v2", mode="release", token=token, endpoint=hub_sandbox.endpoint
    )
    assert forced.returncode == 2 and "does not match release.tag_pattern" in forced.commands("error")[0]
    cli = subprocess.run(
        [sys.executable, "-m", "hf_publish", "publish", "--dry-run", "--tag", "nightly-v2"],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 2 and "does not match release.tag_pattern" in cli.stderr
    assert hub_sandbox.requests == []


def test_every_line_of_a_run_over_hostile_names_is_inert(checkout, tmp_path, hub_sandbox):
    # A name with a control character ("a\r::error::x") is refused by the lfs check: its annotation
    # is the one error line, everything else prints as data.
    for name in ("::set-output name=changed::true", "a\r::error::x", "##[error]y", "\u2028::warning::z"):
        (checkout / "model" / name).write_text("text\n")
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "hostile names")
    step = gh_action(checkout, tmp_path, dry_run="true", endpoint=hub_sandbox.endpoint)
    assert step.returncode == 1, step.stdout + step.stderr
    ours = (
        "::group::",
        "::endgroup::",
        "::notice title=hf-publish::",
        "::add-mask::",
        "::error title=hf-publish::",
        "::error file=model/a%0D%3A%3Aerror%3A%3Ax,title=hf-publish lfs::",
    )
    assert all(line.startswith(ours) for line in commands(step.stdout)), commands(step.stdout)
    assert commands(step.stderr) == []


def test_the_job_summary_escapes_markdown_and_html_from_untrusted_text():
    from hf_publish.action.decide import Decision
    from hf_publish.action.summary import render_summary
    from hf_publish.findings import Finding

    hostile = [
        Finding(
            "model-card",
            "x`|<img src=x onerror=alert(1)>.md",
            3,
            "see [click](https://evil.example) ![i](https://evil.example/i.png) <script>x</script> | cell",
        ),
        Finding("secrets", "www.evil.example/`code`", None, "**bold** _em_ $math$ ~~strike~~"),
    ]
    result = {
        "repo_id": "acme-ai/<b>x</b>-v1",
        "repo_url": "javascript:alert(1)",
        "commit_sha": "`)](x",
        "commit_url": "https://hub/c) [x](https://evil",
        "tag": "v1`<img>",
        "changed": True,
        "plan": {"add": ["```\n<img src=x>"]},
    }
    text = render_summary(
        Decision("publish", "push of [x](https://evil)"), ["model-card", "secrets"], hostile, [result], published=True
    )
    body = text.split("<details>")[0]
    for bad in (
        "<img",
        "<script",
        "<b>",
        "](https://evil",
        "![",
        "**bold**",
        "javascript:",
        "https://evil.example)",
        "www.evil.example",
    ):
        assert bad not in body, bad
    rows = [line for line in body.splitlines() if line.startswith("| error")]
    assert all(line.count(" | ") == 4 for line in rows)  # no pipe broke a table row
    fenced = text.split("```json\n")[1].split("\n```")[0]
    assert "```" not in fenced and "<img" not in fenced
