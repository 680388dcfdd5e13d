"""`gated` in the policy: applied when publish creates a repo, enforced on publish, shown by a dry run.
Against the sandbox with the real client, in both upload lanes."""

from __future__ import annotations

import pytest

from hf_publish.errors import AuthError
from tests.publish.helpers import REPO, write_requests


def gate(checkout, value: str, where: str = "org") -> None:
    policy = (checkout.path / ".hf-publish.yaml").read_text()
    if where == "org":
        policy = "".join(line for line in policy.splitlines(keepends=True) if not line.startswith("gated:"))
        policy = policy.replace("organization: acme-ai\n", f"organization: acme-ai\ngated: {value}\n", 1)
    else:
        policy = policy.replace(
            "  - name: bert-korean-sentiment-v2\n", f"  - name: bert-korean-sentiment-v2\n    gated: {value}\n", 1
        )
    assert f"gated: {value}" in policy
    checkout.write(".hf-publish.yaml", policy)
    checkout.commit(f"gated: {value}")


def hub_gated(hub_api) -> object:
    return hub_api("alice-fg-org").model_info(REPO).gated


def test_a_new_repo_is_created_gated_as_the_policy_says(checkout, publish_with, hub_api, upload_lane):
    gate(checkout, "manual")
    dry = publish_with("alice-fg-org", checkout, dry_run=True)
    assert any("gated: manual" in note for note in dry.results[0].notes)
    report = publish_with("alice-fg-org", checkout)
    assert report.results[0].created and hub_gated(hub_api) == "manual"
    assert "gated: set to manual (was False)" in report.results[0].notes


def test_drift_is_corrected_on_publish_and_a_dry_run_only_reports_it(
    checkout, publish_with, hub_api, hub_sandbox, upload_lane
):
    publish_with("alice-fg-org", checkout)
    assert hub_gated(hub_api) is False
    gate(checkout, "auto", where="repo")
    hub_sandbox.clear_log()
    dry = publish_with("bob-fg-org", checkout, dry_run=True)
    assert (
        "gated: False on the Hub, the policy says auto: a publish would set it (update_repo_settings)"
        in dry.results[0].notes
    )
    assert not [r for r in hub_sandbox.requests if r.method != "GET" and "/settings" in r.path]
    assert hub_gated(hub_api) is False
    publish_with("bob-fg-org", checkout)
    assert hub_gated(hub_api) == "auto"
    again = publish_with("bob-fg-org", checkout, dry_run=True)
    assert "gated: auto (as the policy says)" in again.results[0].notes


def test_a_token_that_may_not_gate_stops_the_publish_before_any_upload(checkout, publish_with, hub_api, hub_sandbox):
    publish_with("alice-fg-org", checkout)
    gate(checkout, "manual")
    checkout.write("notes.md", "new content\n")
    checkout.commit("more")
    head = hub_sandbox.head(REPO)
    hub_sandbox.clear_log()
    hub_sandbox.inject("PUT", r"/settings$", status=403, times=None)
    with pytest.raises(AuthError) as info:
        publish_with("bob-fg-org", checkout)
    message = str(info.value)
    assert "the policy says gated: manual and the repo is not gated" in message and "nothing was uploaded" in message
    assert "/settings" in message and "Next:" in message
    assert hub_sandbox.head(REPO) == head and not [r for r in write_requests(hub_sandbox) if "/commit/" in r.path]


def test_drift_toward_less_gating_is_a_note_when_the_token_may_not_change_it(
    checkout, publish_with, hub_api, hub_sandbox
):
    gate(checkout, "manual")
    publish_with("alice-fg-org", checkout)
    gate(checkout, "auto")
    hub_sandbox.inject("PUT", r"/settings$", status=403, times=None)
    report = publish_with("bob-fg-org", checkout)
    (note,) = [n for n in report.results[0].notes if n.startswith("gated:")]
    assert "gated: manual on the Hub, the policy says auto; this token may not change it" in note
    assert report.results[0].commit_sha and hub_gated(hub_api) == "manual"  # the publish went on


def test_the_audit_and_publish_report_the_same_drift_for_the_same_policy_and_hub_state(
    checkout, publish_with, hub_api, hub_sandbox, tmp_path, monkeypatch
):
    """One rule (policy.model.gated_drift) decides for both: the same policy file and the same repo on the
    Hub give the same drift, in the same words, in the audit's finding and in publish's dry run."""
    from hf_publish.org.audit import AuditOptions, run_audit
    from hf_publish.policy.load import load_policy

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    publish_with("alice-fg-org", checkout)
    assert hub_gated(hub_api) is False
    gate(checkout, "manual", where="repo")
    policy = load_policy(checkout.path / ".hf-publish.yaml")
    words = "gated: False on the Hub, the policy says manual"

    dry = publish_with("bob-fg-org", checkout, dry_run=True)
    (note,) = [n for n in dry.results[0].notes if n.startswith("gated:")]
    audit = run_audit(
        policy,
        AuditOptions(organization="acme-ai", token=hub_sandbox.tokens["bob-fg-org"], types=("model",)),
        hub_api("bob-fg-org"),
    )
    (finding,) = [f for f in audit.findings if f.repo == REPO and f.rule == "gated"]
    assert note == f"{words}: a publish would set it (update_repo_settings)"
    assert words in finding.message and "--gated manual" in finding.fix

    publish_with("alice-fg-org", checkout)  # publish corrects it: the audit then finds no drift either
    assert hub_gated(hub_api) == "manual"
    again = run_audit(
        policy,
        AuditOptions(organization="acme-ai", token=hub_sandbox.tokens["bob-fg-org"], types=("model",)),
        hub_api("bob-fg-org"),
    )
    assert not [f for f in again.findings if f.repo == REPO and f.rule == "gated"]
    assert "gated: manual (as the policy says)" in publish_with("bob-fg-org", checkout, dry_run=True).results[0].notes
