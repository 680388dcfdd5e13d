"""The `org:` policy keys: defaults, parsing, and errors at their line."""

from __future__ import annotations

from hf_publish.policy.load import parse_policy_text, policy_from_data
from hf_publish.policy.model import OrgPolicy, Policy


def load(text: str):
    findings, data = parse_policy_text(text.encode(), ".hf-publish.yaml")
    return findings, (policy_from_data(data) if not findings else None)


def test_defaults_private_ungated_90_days_free_plan():
    org = Policy().org
    assert org == OrgPolicy(visibility="private", gated="off", exceptions=(), stale_after_days=90, plan="free", seats=1)


def test_every_key_is_read():
    findings, policy = load("""\
organization: acme
org:
  visibility: private
  gated: true
  stale_after_days: 30
  plan: team
  seats: 4
  exceptions:
    - match: "*-demo-v*"
      type: space
      visibility: public
      gated: manual
""")
    assert findings == []
    org = policy.org
    assert (org.visibility, org.gated, org.stale_after_days, org.plan, org.seats) == ("private", "any", 30, "team", 4)
    assert org.exceptions[0].match == "*-demo-v*" and org.exceptions[0].gated == "manual"
    assert org.expected("chat-demo-v1", "space") == ("public", "manual", org.exceptions[0])
    assert org.expected("chat-demo-v1", "model")[:2] == ("private", "any")


def test_bad_values_are_findings_at_their_line():
    findings, _ = load("org:\n  plan: pro\n  seats: 0\n  visibility: secret\n  exceptions:\n    - visibility: public\n")
    by_line = {f.line: f.message for f in findings}
    assert "org.plan" in by_line[2] and "free, team, enterprise, enterprise-plus" in by_line[2]
    assert "org.seats" in by_line[3]
    assert "org.visibility" in by_line[4]
    assert any("match" in m for m in by_line.values())


def test_an_unknown_org_key_names_the_allowed_ones():
    findings, _ = load("org:\n  stale_days: 10\n")
    assert findings[0].line == 2 and "did you mean 'stale_after_days'" in findings[0].fix
