"""Every environment variable hf-publish reads, once: which commands read it and what it means.

The `--help` of each command lists the variables it reads ("environment:"), and `hf-publish --help`
lists those a user sets; docs/cli.md holds the same table (a test greps the code for environment
reads and checks both).
"""

from __future__ import annotations

from hf_publish._record import Record

TOP = ""  # `hf-publish --help` itself


class Variable(Record):
    name: str
    commands: tuple[str, ...]  # the commands whose --help lists it (TOP: the top-level help)
    meaning: str
    yours: bool = True  # False: set by the runner, pre-commit or git, never by hand


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "HF_TOKEN", (TOP, "publish", "refresh-vocab"), "the Hub token (else `hf auth login`'s); never sent to --sandbox"
    ),
    Variable("HUGGING_FACE_HUB_TOKEN", ("publish", "gh-action"), "the older name of HF_TOKEN"),
    Variable("HF_OIDC_RESOURCE", (TOP, "publish"), "Trusted Publishing: the repo an OIDC token is exchanged for"),
    Variable("HF_OIDC_ID_TOKEN", ("gh-action",), "an OIDC id token handed in directly (masked, never printed)"),
    Variable("HF_ENDPOINT", (TOP, "publish", "refresh-vocab", "gh-action"), "the Hub endpoint; --endpoint wins"),
    Variable("HF_PUBLISH_TIMEOUT", (TOP, "publish"), "seconds an API call may wait for an answer (default 60)"),
    Variable("HF_PUBLISH_RETRY_BUDGET", (TOP, "publish"), "seconds the run may spend retrying, in total (default 120)"),
    Variable(
        "HF_PUBLISH_SANDBOX_TOKEN", (TOP, "publish"), "publish --sandbox: which sandbox token (default alice-fg-org)"
    ),
    Variable("HF_PUBLISH_DEBUG", (TOP,), "1: print the traceback of an unexpected error (exit 3)"),
    Variable(
        "HF_PUBLISH_NO_CACHE",
        (TOP, "check", "publish"),
        "1: no cache of validated policies and checked cards (nor the audit's)",
    ),
    Variable("XDG_CACHE_HOME", (TOP, "check", "publish", "refresh-vocab"), "where caches live (default ~/.cache)"),
    Variable("HF_XET_CLIENT_RETRY_MAX_DURATION", ("publish",), "hf_xet's retry limit (default: the retry budget)"),
    Variable("HF_HUB_OFFLINE", ("publish",), "1: huggingface_hub's offline mode; publish refuses (use --dry-run)"),
    Variable("HF_PUBLISH_INSTALLER", ("gh-action",), "action.yml: pip forces pip for the install even with uv"),
    Variable("HF_PUBLISH_WHEELHOUSE", ("gh-action",), "action.yml: a folder of wheels to install the runtime from"),
    # set by the runner, pre-commit or git
    Variable("GITHUB_ACTIONS", ("check", "publish"), "true: the default --format is github", yours=False),
    Variable("GITHUB_EVENT_NAME", ("gh-action",), "the event that decides the mode", yours=False),
    Variable("GITHUB_EVENT_PATH", ("gh-action",), "the event payload", yours=False),
    Variable("GITHUB_REF", ("gh-action", "check"), "the pushed branch or tag (branch-name, releases)", yours=False),
    Variable("GITHUB_HEAD_REF", ("gh-action", "check"), "a pull request's branch (branch-name)", yours=False),
    Variable("GITHUB_SHA", ("publish", "gh-action"), "the Workflow commit: line of the Hub commit", yours=False),
    Variable("GITHUB_REPOSITORY", ("publish",), "the workflow run URL in the Hub commit description", yours=False),
    Variable("GITHUB_SERVER_URL", ("publish",), "the workflow run URL in the Hub commit description", yours=False),
    Variable("GITHUB_RUN_ID", ("publish",), "the workflow run URL in the Hub commit description", yours=False),
    Variable("GITHUB_RUN_ATTEMPT", ("publish",), "the workflow run URL in the Hub commit description", yours=False),
    Variable("GITHUB_ACTOR", ("publish",), "the actor in the Hub commit description", yours=False),
    Variable("GITHUB_WORKSPACE", ("gh-action",), "the checkout", yours=False),
    Variable("GITHUB_OUTPUT", ("gh-action",), "where outputs are written", yours=False),
    Variable("GITHUB_STEP_SUMMARY", ("gh-action",), "where the job summary is written", yours=False),
    Variable("ACTIONS_ID_TOKEN_REQUEST_URL", ("gh-action",), "present with id-token: write (OIDC)", yours=False),
    Variable("ACTIONS_ID_TOKEN_REQUEST_TOKEN", ("gh-action",), "present with id-token: write (OIDC)", yours=False),
    Variable("INPUT_TOKEN", ("gh-action",), "action.yml's inputs, passed through env:", yours=False),
    Variable("INPUT_CONFIG", ("gh-action",), "action.yml input", yours=False),
    Variable("INPUT_REPOS", ("gh-action",), "action.yml input", yours=False),
    Variable("INPUT_MODE", ("gh-action",), "action.yml input", yours=False),
    Variable("INPUT_DRY_RUN", ("gh-action",), "action.yml input", yours=False),
    Variable("INPUT_ENDPOINT", ("gh-action",), "action.yml input", yours=False),
    Variable("INPUT_ORGANIZATION", ("gh-action",), "action.yml input (audit mode)", yours=False),
    Variable("INPUT_AUDIT_REPORT", ("gh-action",), "action.yml input (audit mode)", yours=False),
    Variable("INPUT_FAIL_ON", ("gh-action",), "action.yml input (audit mode)", yours=False),
    Variable("PRE_COMMIT_LOCAL_BRANCH", ("check",), "pre-push: the branch pushed (branch-name)", yours=False),
    Variable("PRE_COMMIT_REMOTE_BRANCH", ("check",), "pre-push: the branch pushed to (branch-name)", yours=False),
    Variable("PRE_COMMIT_REMOTE_NAME", ("check",), "pre-push: the remote, for the fix (branch-name)", yours=False),
    Variable(
        "PRE_COMMIT",
        ("check",),
        "1 under pre-commit or prek: named files are staged files; the current folder is the top",
        yours=False,
    ),
    Variable("GIT_INDEX_FILE", ("check",), "set by git commit for its hooks: a commit is under way", yours=False),
    Variable("GIT_DIR", ("check",), "git's own: when set, the top folder is asked of git", yours=False),
    Variable("GIT_WORK_TREE", ("check",), "git's own: when set, the top folder is asked of git", yours=False),
    Variable("COLUMNS", (TOP,), "the width --help is wrapped to (default: the terminal's)", yours=False),
)


def help_block(command: str) -> str:
    """The "environment:" block of a command's --help (empty when it reads none)."""
    rows = [v for v in VARIABLES if command in v.commands]
    if not rows:
        return ""
    width = max(len(v.name) for v in rows) + 2
    lines = ["environment:"]
    for yours in (True, False):
        group = [v for v in rows if v.yours is yours]
        if group and not yours and command != "gh-action":
            lines.append("  (set by the runner, pre-commit or git:)")
        lines += [f"  {v.name:<{width}}{v.meaning}" for v in group]
    return "\n".join(lines)
