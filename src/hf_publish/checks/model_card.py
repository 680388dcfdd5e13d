"""model-card: cards (README.md) have valid metadata, the org's sections, and no template leftovers.

Which cards (`is_card`): the README.md (any case) of each configured repo folder (with no repo
configured, the root README.md), plus those `card.paths` names, less those `card.exclude` names,
among the files the run is about (its type: the configured repo whose folder contains it, else
model). The project's own README.md and docs/ are not cards. When no files are named
(--all-files, publish, the Action), every configured repo's card is checked and must exist.
Contents come from git's index at commit time (what is being committed; a README that is not
tracked falls back to the working tree) and from the working tree at publish time. A card that
is a symbolic link (in the index, mode 120000, or in the working tree), or is reached through
one, is a finding and is never read.

What: the front matter parses (YAML errors at their README line); metadata matches the JSON Schema
for the card's type (`hf_publish/data/card-{model,dataset,space}.schema.json`, each error at its
line) as the Hub reads it (YAML 1.2), and a value PyYAML reads otherwise is a warning; license
ids are in the shipped, dated list (an id is suggested only when it is the same license spelled
otherwise); pipeline_tag in the task list; repo ids (base_model, datasets, new_version, a Space's
models/datasets) pass huggingface_hub's `validate_repo_id`; the policy's required metadata keys
are set; the required sections exist (any accepted heading, level >= 2) and have content;
placeholders are reported at their line. Offline, always.

Severity: each finding comes from a rule of `hf_publish.cards.rules`, which says whether it is an
error (the Hub refuses the push, or the Hub or huggingface_hub cannot read the card; the org's own
requirements) or a warning (the Hub accepts it; a reader gets it wrong, or the page degrades).
`card.strict` and `card.severity` in the policy change that.

The rules themselves are `checks.model_card_rules.card_problems`, a pure function of the card's
bytes, its type, the card policy and its repo. Speed: a hook has a few tens of milliseconds and
that module costs ~30 ms to import (PyYAML, the card parsers), so a card seen before, under the
same policy, rules and vocabularies, takes its problems from a cache (`cached_card_problems`);
on a miss, card metadata is validated with jsonschema, whose worded errors are cached by content
too (`hf_publish.cards.schema`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from hf_publish._record import Record, fields
from hf_publish.cards import rules
from hf_publish.cards.rules import Problem, card_type, too_large
from hf_publish.findings import Finding
from hf_publish.paths import cache_home, content_key, matches
from hf_publish.policy.model import CardPolicy, Policy, RepoSpec

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from hf_publish.checks._inputs import CheckContext

CHECK_ID = "model-card"
CARD_NAME = "README.md"

# --- the check ---------------------------------------------------------------------------------


class CardTarget(Record):
    """A card to check: its path (relative to the git root), card type, and the repo it belongs to."""

    path: str
    repo_type: str
    repo: RepoSpec | None = None
    configured: bool = False  # the card of a configured repo (so it must exist)


def run(ctx: CheckContext) -> list[Finding]:
    targets = card_targets(ctx)
    if not targets:
        return []
    sources = read_cards(ctx, [t.path for t in targets])
    card = ctx.policy.card
    findings: list[Finding] = []
    for target in targets:
        source = sources.get(target.path)
        if source is not None and source.symlink:
            findings.append(_finding(target.path, _symlink_problem(source), card))
            continue
        if source is None or source.missing:
            findings.extend(_missing_card(ctx.root, target, card))
            continue
        if source.data is None:  # too large to read
            problem = too_large(source.size)
            if problem:
                findings.append(_finding(target.path, problem, card))
            continue
        findings.extend(check_card(source.data, target.path, target.repo_type, card, target.repo))
        findings.extend(_name_problems(target, card))
    return findings


def card_targets(ctx: CheckContext) -> list[CardTarget]:
    """The cards of this run: `card_files` over the files the run looks at (`ctx.target_paths()`,
    the one list the hook, `check --all-files`, publish and the Action share); without named files
    (`--all-files`, publish, the Action), also every configured repo's card, which must exist.

    Named files (a pre-commit run) are checked alone: pre-commit may split them over several
    processes, and re-checking the configured cards in each would repeat their findings."""
    repos = tuple(ctx.selected_repos())
    card = ctx.policy.card
    targets: dict[str, CardTarget] = {}
    if ctx.files is None:
        for spec in repos:
            path = _join(spec.path, CARD_NAME)
            if not (card.exclude and matches(path, card.exclude)):
                targets.setdefault(path, CardTarget(path, card_type(spec.type), spec, configured=True))
    for path in card_files(_card_candidates(ctx), ctx.policy):
        if path.lower() in map(str.lower, targets):
            continue
        repo = containing_repo(path, ctx.policy.repos)
        if ctx.repos is not None and repo is not None and repo not in repos:
            continue  # publishing some repos: other repos' cards are not part of it
        targets[path] = CardTarget(path, card_type(repo.type) if repo else "model", repo)
    return list(targets.values())


def _card_candidates(ctx: CheckContext) -> list[str]:
    """The run's files; a whole-tree run of the working tree that is no publish (the Action's
    check) adds the tracked files outside the repo folders, so that a `card.paths` card outside
    them is checked there as the hook and `check --all-files` check it."""
    whole_tree = ctx.files is None and ctx.source == "worktree" and ctx.upload is None
    files = ctx.target_paths()
    if whole_tree and ctx.policy.card.paths and ctx.in_git:
        files = sorted(set(files) | {e.path for e in ctx.index})
    return files


def is_card(path: str, policy: Policy) -> bool:
    """Is `path` (relative to the git root) a card? A file named README.md (any case) that is the
    card of a configured repo folder (with no repo configured: the root README.md), or that
    `card.paths` names; never one `card.exclude` names. The project's own README.md and docs/ are
    not cards unless a repo folder or `card.paths` makes them one."""
    path = PurePosixPath(path).as_posix()
    if PurePosixPath(path).name.lower() != CARD_NAME.lower():
        return False
    card = policy.card
    if card.exclude and matches(path, card.exclude):
        return False
    lowered = path.lower()
    if policy.repos:
        if any(_join(repo.path, CARD_NAME).lower() == lowered for repo in policy.repos):
            return True
    elif lowered == CARD_NAME.lower():
        return True
    return bool(card.paths) and matches(path, card.paths)


def card_files(candidates: Iterable[str], policy: Policy) -> list[str]:
    """The cards among `candidates` (paths relative to the git root), by `is_card`."""
    return [p for p in (PurePosixPath(c).as_posix() for c in candidates) if is_card(p, policy)]


def containing_repo(path: str, repos: Iterable[RepoSpec]) -> RepoSpec | None:
    """The configured repo whose folder holds `path` (the deepest folder wins)."""
    best, depth = None, -1
    for repo in repos:
        folder = PurePosixPath(repo.path).as_posix().strip("/")
        if folder in ("", "."):
            inside, level = True, 0
        else:
            inside, level = path.startswith(folder + "/"), folder.count("/") + 1
        if inside and level > depth:
            best, depth = repo, level
    return best


def _join(folder: str, name: str) -> str:
    folder = PurePosixPath(folder).as_posix().strip("/")
    return name if folder in ("", ".") else f"{folder}/{name}"


class CardSource(Record):
    size: int = 0
    data: bytes | None = None  # None when missing, a symlink, or too large
    missing: bool = False
    symlink: str = ""  # "" or where the link is: "index" (mode 120000), "file", or the linked folder


GIT_SYMLINK_MODE = "120000"
GIT_REGULAR_MODES = ("100644", "100755")


def read_cards(ctx: CheckContext, paths: list[str]) -> dict[str, CardSource]:
    """Card bytes from the index (source "index" in git) or the working tree; large ones by size
    only; symbolic links never followed (a staged link, a linked file, a file in a linked folder)."""
    from hf_publish.cards.rules import MAX_CARD_BYTES

    out: dict[str, CardSource] = {}
    if ctx.source == "index" and ctx.in_git:
        from hf_publish import _git

        entries = {e.path: e for e in _git.index_entries(ctx.root, paths)}
        for path, entry in entries.items():
            if entry.mode == GIT_SYMLINK_MODE:
                out[path] = CardSource(symlink="index")
            elif entry.mode not in GIT_REGULAR_MODES:  # a submodule named README.md
                out[path] = CardSource(missing=True)
        regular = {p: e for p, e in entries.items() if e.mode in GIT_REGULAR_MODES}
        # The run's one `git cat-file` process: at most MAX_CARD_BYTES + 1 bytes of each card kept.
        prefixes = ctx.blobs.prefixes([e.oid for e in regular.values()], limit=MAX_CARD_BYTES + 1)
        for path, entry in regular.items():
            data = prefixes.get(entry.oid)
            if data is None:
                continue
            if len(data) > MAX_CARD_BYTES:
                size = ctx.blobs.sizes([entry.oid]).get(entry.oid, len(data))
                out[path] = CardSource(size)
            else:
                out[path] = CardSource(len(data), data)
    for path in paths:
        if path not in out:
            out[path] = read_worktree_card(Path(ctx.root), path, MAX_CARD_BYTES)
    return out


def read_worktree_card(root: Path, path: str, limit: int) -> CardSource:
    """A working-tree card, read without following a symbolic link anywhere on its way from `root`."""
    current = root
    parts = PurePosixPath(path).parts
    for index, part in enumerate(parts):
        current = current / part
        try:
            if current.is_symlink():
                last = index == len(parts) - 1
                return CardSource(symlink="file" if last else "/".join(parts[: index + 1]))
        except OSError:
            return CardSource(missing=True)
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(current, flags)
    except OSError:
        return CardSource(missing=True)
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        import stat

        if not stat.S_ISREG(status.st_mode):
            return CardSource(missing=True)
        if status.st_size > limit:
            return CardSource(status.st_size)
        data = handle.read(limit + 1)
    return CardSource(len(data), data if len(data) <= limit else None)


def _symlink_problem(source: CardSource) -> Problem:
    if source.symlink == "index":
        where = "is staged as a symbolic link (git mode 120000)"
    elif source.symlink == "file":
        where = "is a symbolic link"
    else:
        where = f"is inside {source.symlink}/, which is a symbolic link"
    return Problem(
        None,
        f"the card {where}: the Hub stores a link, not a card, so the repo gets no card; "
        "hf-publish does not read through links",
        'replace the link with a regular file holding the card: `cp --remove-destination "$(readlink -f README.md)" '
        "README.md && git add README.md` (in the card's folder)",
        rules.CARD_SYMLINK,
    )


def _missing_card(root: Path, target: CardTarget, card: CardPolicy) -> list[Finding]:
    folder = PurePosixPath(target.path).parent.as_posix()
    if not target.configured:
        return [Finding(CHECK_ID, target.path, None, "file not found", "check the path you passed")]
    what = f"{target.repo.type} repo {target.repo.name!r}" if target.repo else "the repo"
    try:
        siblings = [p.name for p in (Path(root) / folder).iterdir() if p.name.lower() == CARD_NAME.lower()]
    except OSError:
        siblings = []
    if siblings:
        wrong = _join(folder, siblings[0])
        return [
            _finding(
                wrong,
                Problem(
                    None,
                    f"the card of {what} is named {siblings[0]}: the Hub only reads a card named README.md",
                    f"rename it: git mv {wrong} {target.path}",
                    rules.CARD_MISNAMED,
                ),
                card,
            )
        ]
    init = f"hf-publish init --type {target.repo_type} --path {folder}" if target.repo else "hf-publish init"
    return [
        _finding(
            target.path,
            Problem(
                None,
                f"{what} has no card: {target.path} does not exist",
                f"create it from the org template (`{init}` writes one) and fill in its sections",
                rules.CARD_MISSING,
            ),
            card,
        )
    ]


def _name_problems(target: CardTarget, card: CardPolicy) -> list[Finding]:
    name = PurePosixPath(target.path).name
    if name == CARD_NAME or target.repo is None:
        return []
    folder = PurePosixPath(target.path).parent.as_posix()
    repo_folder = PurePosixPath(target.repo.path).as_posix().strip("/") or "."
    if folder != repo_folder:
        return []
    right = _join(folder, CARD_NAME)
    return [
        _finding(
            target.path,
            Problem(
                None,
                f"the card is named {name}: the Hub only reads a card named README.md",
                f"rename it: git mv {target.path} {right}",
                rules.CARD_MISNAMED,
            ),
            card,
        )
    ]


def _finding(path: str, problem: Problem, card: CardPolicy) -> Finding:
    return Finding(
        CHECK_ID,
        path,
        problem.line,
        problem.message,
        problem.fix,
        severity=card.severity_of(problem.rule),
        rule=problem.rule.id,
    )


# --- one card ----------------------------------------------------------------------------------


def check_card(
    raw: bytes, path: str, repo_type: str = "model", card: CardPolicy | None = None, repo: RepoSpec | None = None
) -> list[Finding]:
    """Every problem of one card's bytes, as findings at README lines."""
    card = card or CardPolicy()
    return [_finding(path, p, card) for p in cached_card_problems(raw, repo_type, card, repo)]


# --- the card result cache -----------------------------------------------------------------------
# A hook has a budget of a few tens of milliseconds and the rules module costs ~30 ms to import
# (PyYAML and the card parsers): the problems of a card seen before, under the same policy, rules
# and vocabularies, come from a cache. An entry is found by a checksum and holds the card's bytes
# and the whole context, which must equal this run's: a collision is a miss, never another card's
# result. Entries are `marshal` data written only here (no json import on the hook path).

_CACHE_FORMAT = 1
# What the rules read besides the card and the policy: their code and the data files beside it.
_RULE_SOURCES = (
    "checks/model_card_rules.py",
    "cards/parse.py",
    "cards/rules.py",
    "cards/schema.py",
    "cards/vocab.py",
    "yamltree.py",
    "data/card-model.schema.json",
    "data/card-dataset.schema.json",
    "data/card-space.schema.json",
    "data/licenses.json",
    "data/pipeline_tags.json",
)


def cached_card_problems(raw: bytes, repo_type: str, card: CardPolicy, repo: RepoSpec | None = None) -> list[Problem]:
    """`model_card_rules.card_problems`, remembered across runs (HF_PUBLISH_NO_CACHE=1 turns it off)."""
    use_cache = not os.environ.get("HF_PUBLISH_NO_CACHE")
    if use_cache:
        context = _cache_context(repo_type, card, repo)
        found = _cache_read(raw, context)
        if found is not None:
            return found
    from hf_publish.checks.model_card_rules import card_problems

    problems = card_problems(raw, repo_type, card, repo)
    if use_cache:
        _cache_write(raw, context, problems)
    return problems


def _cache_context(repo_type: str, card: CardPolicy, repo: RepoSpec | None) -> str:
    from hf_publish import __version__
    from hf_publish.cards.vocab import FILES, user_dir

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sources = [os.path.join(package, name) for name in _RULE_SOURCES]
    sources += [os.path.join(user_dir(), filename) for filename, _ in FILES.values()]  # refresh-vocab's copies
    stamps = []
    for source in sources:
        try:
            status = os.stat(source)
            stamps.append(f"{status.st_size}:{status.st_mtime_ns}")
        except OSError:
            stamps.append("-")
    values = [repo_type, repr([getattr(card, f) for f in fields(card)])]
    values.append(repr([getattr(repo, f) for f in fields(repo)]) if repo is not None else "")
    return "\0".join([__version__, *stamps, *values])


def _cache_path(raw: bytes, context: str) -> str:
    return cache_home("card-results", content_key(context.encode("utf-8", "surrogatepass") + b"\0" + raw))


def _cache_read(raw: bytes, context: str) -> list[Problem] | None:
    import marshal

    try:
        with open(_cache_path(raw, context), "rb") as handle:
            entry = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT:
        return None
    if entry.get("context") != context or entry.get("raw") != raw:
        return None  # a checksum collision: not this card
    try:
        return [Problem(line, message, fix, rules.RULES[rule]) for line, message, fix, rule in entry["problems"]]
    except (KeyError, TypeError, ValueError):
        return None


def _cache_write(raw: bytes, context: str, problems: list[Problem]) -> None:
    import marshal

    if any(rules.RULES.get(p.rule.id) != p.rule for p in problems):
        return  # a rule outside the table cannot be rebuilt from its id
    rows = [(p.line, p.message, p.fix, p.rule.id) for p in problems]
    path = _cache_path(raw, context)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as handle:
            marshal.dump({"format": _CACHE_FORMAT, "context": context, "raw": raw, "problems": rows}, handle)
        os.replace(temporary, path)
    except (OSError, ValueError):
        pass  # a read-only home only costs speed
