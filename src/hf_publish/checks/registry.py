"""The registry of commit-time checks: one module each, run through `run_checks`.

Every check module exposes `run(ctx: CheckContext) -> list[Finding]`, which gathers its inputs
(through `hf_publish._git`, never the network) and hands them to pure functions that hold the
rules. Modules are imported only when their check runs, so a hook pays only for itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from hf_publish.checks._inputs import CheckContext
from hf_publish.findings import Finding

# Order is the order checks run and report in.
CHECKS: dict[str, str] = {
    "config": "hf_publish.checks.config",
    "repo-name": "hf_publish.checks.repo_name",
    "branch-name": "hf_publish.checks.branch_name",
    "model-card": "hf_publish.checks.model_card",
    "lfs": "hf_publish.checks.lfs",
    "secrets": "hf_publish.checks.secrets",
    "members": "hf_publish.checks.members",
}
CHECK_IDS = tuple(CHECKS)
# The checks that read staged blobs (through `CheckContext.blobs`): its git starts before the
# check's module is imported, so that git's start-up and the import overlap.
READS_BLOBS = frozenset({"model-card", "lfs", "secrets"})
READS_INDEX = frozenset({"lfs"})  # the index listing (`CheckContext.named_index`), started early too
# The checks that judge content; publish runs these (branch-name is about committing, not publishing).
CONTENT_CHECK_IDS = ("config", "repo-name", "model-card", "lfs", "secrets")


def run_checks(check_ids: Sequence[str], ctx: CheckContext) -> list[Finding]:
    """Run the named checks in registry order and return every finding."""
    findings: list[Finding] = []
    try:
        for check_id in CHECK_IDS:
            if check_id in check_ids:
                if ctx.in_git and ctx.source == "index":
                    if check_id in READS_INDEX:
                        ctx.prefetch_index()
                    if check_id in READS_BLOBS:
                        ctx.blobs.start()
                module = importlib.import_module(CHECKS[check_id])
                findings.extend(module.run(ctx))
    finally:
        ctx.close()
    return findings
