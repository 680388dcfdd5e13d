"""`hf-publish org audit`: the whole organization against the policy, its storage against the plan.

Layers, each in its own module:
- `model`: typed records (what the Hub says about a repo, a finding, the audit result) and the
  `org:` policy record;
- `rules`: pure functions, repo record + policy -> findings (naming, visibility and gating, card,
  LFS, staleness), reusing the commit-time checks' rule functions;
- `storage`: quota math (plan, seats, largest repos, what stale repos would free);
- `fetch`: the ONLY module here that calls the Hub (huggingface_hub's HfApi, a bounded pool for
  READMEs, 429 Retry-After honoured, a cache by commit sha);
- `audit`: fetch, then rules, then one `AuditResult`;
- `report_text`, `report_json`, `report_github`, `report_html`: the four output formats;
- `cli`: the `org audit` sub-command (argument parsing and exit codes only).

Access, members and moves: `access` (review and grant), `members` (the members file against
the org), `migrate` (move_repo into the org); their parsers are in `access_cli`.
"""
