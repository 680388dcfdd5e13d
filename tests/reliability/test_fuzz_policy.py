"""Properties of the policy parser: any input yields findings or a policy, never an exception."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hf_publish.policy.load import parse_policy_text, policy_from_data

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

name = st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}-v[0-9]{1,2}", fullmatch=True)
glob = st.from_regex(r"[a-z*./]{1,12}", fullmatch=True)
repo = st.fixed_dictionaries(
    {"name": name},
    optional={
        "type": st.sampled_from(["model", "dataset", "space"]),
        "path": st.from_regex(r"[a-z0-9_]{1,8}(/[a-z0-9_]{1,8}){0,2}", fullmatch=True),
        "private": st.booleans(),
        "ignore": st.lists(glob, max_size=3),
    },
)
valid_policy = st.fixed_dictionaries(
    {},
    optional={
        "organization": st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True),
        "repos": st.lists(repo, max_size=4, unique_by=lambda r: (r.get("type", "model"), r["name"])),
        "lfs": st.fixed_dictionaries(
            {},
            optional={
                "max_text_size": st.one_of(st.integers(0, 2**40), st.sampled_from(["10MiB", "1MB", "512", "2 GB"])),
                "required_patterns": st.lists(glob, max_size=4),
            },
        ),
        "card": st.fixed_dictionaries(
            {},
            optional={
                "allow_placeholders": st.booleans(),
                "required_sections": st.lists(st.sampled_from(["Overview", "Usage", "License", "Notes"]), max_size=4),
            },
        ),
        "auth": st.fixed_dictionaries({}, optional={"require_fine_grained": st.booleans()}),
    },
)


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_give_findings_or_data(raw: bytes):
    findings, data = parse_policy_text(raw, ".hf-publish.yaml")
    for finding in findings:
        assert finding.check == "config" and finding.message
        assert finding.line is None or finding.line >= 1


@FUZZ
@given(
    st.lists(
        st.sampled_from(list("ab: -[]{}&*!|>'\"\n\t#%@`,?") + ["repos", "name", "lfs", "  ", "\n- "]), max_size=120
    )
)
def test_yaml_shaped_text_never_raises(pieces: list[str]):
    findings, data = parse_policy_text("".join(pieces).encode(), ".hf-publish.yaml")
    if not findings:
        policy_from_data(data or {})


@FUZZ
@given(valid_policy)
def test_valid_policies_round_trip(data: dict):
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    findings, parsed = parse_policy_text(text.encode(), ".hf-publish.yaml")
    assert findings == []
    policy = policy_from_data(parsed)
    assert [r.name for r in policy.repos] == [r["name"] for r in data.get("repos", [])]
    assert [r.private for r in policy.repos] == [r.get("private", True) for r in data.get("repos", [])]
    assert policy.organization == data.get("organization")
