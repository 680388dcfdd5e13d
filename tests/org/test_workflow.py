"""examples/workflows/access-review.yml: daily and manual, its commands are real, its token stays put."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from hf_publish.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load((ROOT / "examples" / "workflows" / "access-review.yml").read_text())


def test_runs_daily_and_by_hand_with_the_token_in_an_environment():
    events = WORKFLOW[True]
    assert set(events) == {"schedule", "workflow_dispatch"} and len(events["schedule"]) == 1
    assert events["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]
    (job,) = WORKFLOW["jobs"].values()
    assert job["environment"] and WORKFLOW["permissions"] == {"contents": "read"} and "permissions" not in job
    for step in job["steps"]:
        if "uses" in step:
            name, _, ref = step["uses"].partition("@")
            assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), step["uses"]
        if "secrets." in yaml.safe_dump(step):
            assert step["env"] == {"HF_TOKEN": "${{ secrets.HF_TOKEN }}"} and "${{" not in step["run"]


def test_its_commands_parse_and_the_apply_step_logs():
    parser = build_parser()
    (job,) = WORKFLOW["jobs"].values()
    commands = [shlex.split(s["run"]) for s in job["steps"] if s.get("run", "").startswith("hf-publish ")]
    assert len(commands) == 2
    for argv in commands:
        args = parser.parse_args(argv[1:])
        assert args.command == "access" and args.access_command == "review"
    applied = parser.parse_args(commands[1][1:])
    assert applied.apply and applied.log == "access-decisions.jsonl"
    upload = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == applied.log and upload["if"] == "always()"


def test_the_log_is_carried_from_run_to_run_so_expiry_counts_from_the_grant():
    parser = build_parser()
    (job,) = WORKFLOW["jobs"].values()
    steps = job["steps"]
    cache = next(i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/cache@"))
    reviews = [i for i, s in enumerate(steps) if s.get("run", "").startswith("hf-publish ")]
    assert cache < reviews[0]  # restored before the first review reads it
    restore = steps[cache]["with"]
    assert restore["path"] == "access-decisions.jsonl" and "github.run_id" in restore["key"]
    assert restore["key"].startswith(restore["restore-keys"])  # each run restores the newest earlier log
    for i in reviews:  # the dry run reads the same log (expiry), the apply step appends to it
        assert parser.parse_args(shlex.split(steps[i]["run"])[1:]).log == "access-decisions.jsonl"
