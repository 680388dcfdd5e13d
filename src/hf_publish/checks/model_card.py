"""model-card: cards (README.md) have valid metadata, the org's sections, and no template leftovers.

Which cards: any file named README.md (any case) among the files the run is about (the type of
the configured repo whose folder contains it, else model); when no files are named (--all-files,
publish), also the README.md of every configured repo folder (its type is the repo's type). Contents come from git's index at commit time (what is
being committed; a README that is not tracked falls back to the working tree) and from the working
tree at publish time.

What: the front matter parses (YAML errors at their README line); metadata matches the JSON Schema
for the card's type (`hf_publish/data/card-{model,dataset,space}.schema.json`, each error at its
line); license and pipeline_tag ids are in the shipped, dated vocabularies (closest id suggested);
`license: other` has license_name and license_link; repo ids (base_model, datasets, new_version,
a Space's models/datasets) pass huggingface_hub's `validate_repo_id`; the policy's required
metadata keys are set; the required sections exist (any accepted heading, level >= 2) and have
content; placeholders are reported at their line. Offline, always.

Speed: a hook has ~150 ms, and importing jsonschema costs ~95 ms. The card schemas use a small
subset of JSON Schema, which `SchemaValidator` below implements directly; a schema using any other
keyword is handed to jsonschema instead, and the tests check both agree on every example. Likewise
repo ids take a local regex that mirrors `validate_repo_id`, which is imported only to word the
message of an id that fails.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

import yaml

from hf_publish.cards import (
    FrontMatter,
    MarkdownDoc,
    Problem,
    compose_front_matter,
    decode_card,
    is_substantive,
    normalize_heading,
    parse_markdown,
    placeholders_in,
    section_span,
    split_front_matter,
    structural_problems,
    too_large,
    yaml_to_data,
)
from hf_publish.findings import Finding
from hf_publish.yamltree import TooManyNodes, key_node_at, node_at
from hf_publish.policy import CardPolicy, RepoSpec

CHECK_ID = "model-card"
CARD_NAME = "README.md"
CARD_TYPES = ("model", "dataset", "space")

# What to write in each org section when it is empty (from the org template in hub-rules.md).
SECTION_HINTS = {
    "Overview": "say what the {kind} is, what it is built from and what it is for",
    "Usage": "show how to use it, e.g. a ```python block with {loader}",
    "Performance": "give the results as a table: | dataset | accuracy | F1 |",
    "License": "name the license (matching `license:` in the metadata) and link its text",
    "Contact": "say who to contact: a team email, an issue tracker or Hub handles",
}
LOADERS = {
    "model": 'AutoModel.from_pretrained("org/model-name")',
    "dataset": 'load_dataset("org/dataset-name")',
    "space": 'gradio_client.Client("org/space-name")',
}


def section_hint(section: str, repo_type: str = "model") -> str:
    hint = SECTION_HINTS.get(section, "write its content")
    return hint.format(kind=repo_type, loader=LOADERS.get(repo_type, LOADERS["model"]))


# --- the check ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CardTarget:
    """A card to check: its path (relative to the git root), card type, and the repo it belongs to."""

    path: str
    repo_type: str
    repo: RepoSpec | None = None
    configured: bool = False  # the card of a configured repo (so it must exist)


def run(ctx) -> list[Finding]:
    targets = card_targets(ctx)
    if not targets:
        return []
    sources = read_cards(ctx, [t.path for t in targets])
    findings: list[Finding] = []
    for target in targets:
        source = sources.get(target.path)
        if source is None or source.missing:
            findings.extend(_missing_card(ctx.root, target))
            continue
        if source.data is None:  # too large to read
            problem = too_large(source.size)
            if problem:
                findings.append(_finding(target.path, problem))
            continue
        findings.extend(check_card(source.data, target.path, target.repo_type, ctx.policy.card, target.repo))
        findings.extend(_name_problems(target))
    return findings


def card_targets(ctx) -> list[CardTarget]:
    """Every README.md (any case) among the files named on the command line; without named
    files (`--all-files`, publish), the configured repos' cards and every README.md of the run.

    Named files (a pre-commit run) are checked alone: pre-commit may split them over several
    processes, and re-checking the configured cards in each would repeat their findings."""
    repos = tuple(ctx.selected_repos())
    targets: dict[str, CardTarget] = {}
    if ctx.files is None:
        for repo in repos:
            path = _join(repo.path, CARD_NAME)
            targets.setdefault(path, CardTarget(path, _card_type(repo.type), repo, configured=True))
    files = ctx.files if ctx.files is not None else ctx.target_paths()
    for name in files:
        path = PurePosixPath(name).as_posix()
        if PurePosixPath(path).name.lower() != CARD_NAME.lower() or path.lower() in map(str.lower, targets):
            continue
        repo = containing_repo(path, ctx.policy.repos)
        if ctx.repos is not None and (repo is None or repo not in repos):
            continue  # publishing some repos: other folders' READMEs are not part of it
        targets[path] = CardTarget(path, _card_type(repo.type) if repo else "model", repo)
    return list(targets.values())


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


def _card_type(repo_type: str) -> str:
    return repo_type if repo_type in CARD_TYPES else "model"


def _join(folder: str, name: str) -> str:
    folder = PurePosixPath(folder).as_posix().strip("/")
    return name if folder in ("", ".") else f"{folder}/{name}"


@dataclass(frozen=True)
class CardSource:
    size: int = 0
    data: bytes | None = None  # None when missing or too large
    missing: bool = False


def read_cards(ctx, paths: list[str]) -> dict[str, CardSource]:
    """Card bytes from the index (source "index" in git) or the working tree; large ones by size only."""
    from hf_publish.cards import MAX_CARD_BYTES

    out: dict[str, CardSource] = {}
    if ctx.source == "index" and ctx.in_git:
        from hf_publish import gitrepo

        # Regular files only: a symlinked card is read through the working tree, as an upload would.
        entries = {e.path: e for e in gitrepo.index_entries(ctx.root, paths) if e.mode in ("100644", "100755")}
        # One `git cat-file --batch` for all cards, at most MAX_CARD_BYTES + 1 bytes each kept.
        prefixes = gitrepo.read_blob_prefixes(ctx.root, [e.oid for e in entries.values()], limit=MAX_CARD_BYTES + 1)
        for path, entry in entries.items():
            data = prefixes.get(entry.oid)
            if data is None:
                continue
            if len(data) > MAX_CARD_BYTES:
                size = gitrepo.blob_sizes(ctx.root, [entry.oid]).get(entry.oid, len(data))
                out[path] = CardSource(size)
            else:
                out[path] = CardSource(len(data), data)
    for path in paths:
        if path not in out:
            out[path] = _read_worktree(Path(ctx.root) / path, MAX_CARD_BYTES)
    return out


def _read_worktree(file: Path, limit: int) -> CardSource:
    try:
        size = file.stat().st_size
        if not file.is_file():
            return CardSource(missing=True)
        if size > limit:
            return CardSource(size)
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except (FileNotFoundError, NotADirectoryError):
        return CardSource(missing=True)
    except OSError:
        return CardSource(missing=True)
    return CardSource(len(data), data if len(data) <= limit else None)


def _missing_card(root: Path, target: CardTarget) -> list[Finding]:
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
        return [Finding(CHECK_ID, wrong, None,
                        f"the card of {what} is named {siblings[0]}: the Hub only reads a card named README.md",
                        f"rename it: git mv {wrong} {target.path}")]
    init = f"hf-publish init --type {target.repo_type} --path {folder}" if target.repo else "hf-publish init"
    return [Finding(CHECK_ID, target.path, None,
                    f"{what} has no card: {target.path} does not exist",
                    f"create it from the org template (`{init}` writes one) and fill in its sections")]


def _name_problems(target: CardTarget) -> list[Finding]:
    name = PurePosixPath(target.path).name
    if name == CARD_NAME or target.repo is None:
        return []
    folder = PurePosixPath(target.path).parent.as_posix()
    repo_folder = PurePosixPath(target.repo.path).as_posix().strip("/") or "."
    if folder != repo_folder:
        return []
    right = _join(folder, CARD_NAME)
    return [Finding(CHECK_ID, target.path, None,
                    f"the card is named {name}: the Hub only reads a card named README.md",
                    f"rename it: git mv {target.path} {right}")]


def _finding(path: str, problem: Problem) -> Finding:
    return Finding(CHECK_ID, path, problem.line, problem.message, problem.fix)


# --- one card ----------------------------------------------------------------------------------

def check_card(raw: bytes, path: str, repo_type: str = "model", card: CardPolicy | None = None,
               repo: RepoSpec | None = None) -> list[Finding]:
    """Every problem of one card's bytes, as findings at README lines."""
    return [_finding(path, p) for p in card_problems(raw, repo_type, card or CardPolicy(), repo)]


def card_problems(raw: bytes, repo_type: str, card: CardPolicy, repo: RepoSpec | None = None) -> list[Problem]:
    text, problems = decode_card(raw)
    if text is None:
        return problems
    split = split_front_matter(text)
    problems.extend(split.problems)
    fm = split.front_matter
    if fm is not None:
        root, errors = compose_front_matter(fm)
        problems.extend(errors)
        if not errors:
            problems.extend(metadata_problems(root, fm, repo_type, card, repo))
        if not card.allow_placeholders:
            problems.extend(front_matter_placeholders(fm))
    elif split.missing:
        problems.append(_no_front_matter(card, repo_type))
    doc = parse_markdown(split.body_lines, split.body_first_line)
    if not card.allow_placeholders:
        problems.extend(placeholder_problems(doc))
    problems.extend(section_problems(doc, card, repo_type))
    return problems


def _no_front_matter(card: CardPolicy, repo_type: str) -> Problem:
    keys = list(card.required_metadata) or ["license"]
    if repo_type == "space" and "sdk" not in keys:
        keys.append("sdk")
    example = ", then ".join(f"`{k}: {_EXAMPLES.get(k, '...')}`" for k in keys)
    return Problem(
        1,
        "the card has no metadata block (YAML front matter between --- lines at the top): the Hub "
        "shows no license and cannot index the " + repo_type,
        f"put a metadata block at the very top of README.md: a line `---`, then {example}, then a line `---`",
    )


_EXAMPLES = {
    "license": "apache-2.0", "language": "ko", "pipeline_tag": "text-classification",
    "library_name": "transformers", "base_model": "klue/bert-base", "tags": "[sentiment]",
    "sdk": "gradio", "datasets": "[org/dataset-name]", "license_name": "my-license",
    "license_link": "LICENSE", "short_description": "One line about the Space",
}


# --- metadata ----------------------------------------------------------------------------------

def metadata_problems(root: yaml.Node | None, fm: FrontMatter, repo_type: str, card: CardPolicy,
                      repo: RepoSpec | None = None) -> list[Problem]:
    """Schema, vocabularies, repo ids and required keys of a composed front matter."""
    if root is None:
        data: Any = {}
    else:
        try:
            structural = structural_problems(root, fm.first_line)
        except TooManyNodes:
            return [Problem(fm.open_line, "the metadata expands to too many YAML nodes (anchors and aliases nested "
                                          "too deep: a 'billion laughs' document?)",
                            "write the metadata out without nested anchors (&) and aliases (*)")]
        if structural:
            return structural
        try:
            data = yaml_to_data(root)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = fm.first_line + mark.line if mark is not None else fm.open_line
            return [Problem(line, f"metadata YAML error: {getattr(exc, 'problem', None) or exc}",
                            "use plain YAML values: no !!tags")]
        if data is None:
            data = {}
    if not isinstance(data, dict):
        return [Problem(fm.first_line, f"the metadata must be a mapping of `key: value` lines, not {_a_type(data)}",
                        "write one `key: value` per line, e.g. `license: apache-2.0`")]
    lines = _Lines(root, fm)
    problems: list[Problem] = []
    schema_errors = card_schema_validator(repo_type).errors(data)
    bad_paths = {e.path for e in schema_errors}
    for error in schema_errors:
        problems.append(_schema_problem(error, root, lines, repo_type))

    def valid(*path: Any) -> bool:
        return not any(p[:len(path)] == path for p in bad_paths)

    if valid("license"):
        problems.extend(_license_problems(data, lines))
    if repo_type == "model" and "pipeline_tag" in data and valid("pipeline_tag"):
        problems.extend(_vocab_problem("pipeline_tag", data["pipeline_tag"], ("pipeline_tag",), lines))
    for key in REPO_ID_KEYS.get(repo_type, ()):
        if key in data and valid(key):
            problems.extend(_repo_id_problems(key, data[key], lines))
    if repo_type == "space" and repo is not None and repo.sdk and isinstance(data.get("sdk"), str) \
            and data["sdk"] != repo.sdk and valid("sdk"):
        problems.append(Problem(lines.value(("sdk",)), f"sdk is {data['sdk']!r} but the policy configures "
                                f"{repo.sdk!r} for Space {repo.name!r}",
                                f"set `sdk: {repo.sdk}`, or change repos[].sdk in .hf-publish.yaml"))
    problems.extend(_required_metadata(data, card, lines))
    return problems


class _Lines:
    """README lines of metadata paths."""

    def __init__(self, root: yaml.Node | None, fm: FrontMatter) -> None:
        self.root, self.fm = root, fm

    def value(self, path: tuple) -> int:
        node = node_at(self.root, list(path))
        return self.fm.first_line + node.start_mark.line if node is not None else self.fm.open_line

    def key(self, path: tuple) -> int:
        node = key_node_at(self.root, list(path))
        return self.fm.first_line + node.start_mark.line if node is not None else self.value(path)


REPO_ID_KEYS = {
    "model": ("base_model", "datasets", "new_version"),
    "dataset": (),
    "space": ("models", "datasets"),
}


def _license_problems(data: dict, lines: _Lines) -> list[Problem]:
    if "license" not in data or data["license"] is None:
        return []
    value = data["license"]
    problems: list[Problem] = []
    items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
    for index, item in items:
        path = ("license",) if index is None else ("license", index)
        problems.extend(_vocab_problem("license", item, path, lines))
    if "other" in [item for _, item in items]:
        missing = [k for k in ("license_name", "license_link") if not data.get(k)]
        if missing:
            problems.append(Problem(
                lines.key(("license",)),
                f"license: other needs {' and '.join(missing)} (the Hub shows them in place of a known license)",
                "add " + " and ".join(f"`{k}: {_EXAMPLES[k]}`" for k in missing)
                + " (license_link: a URL or the path of the license file in the repo)",
            ))
    return problems


def _vocab_problem(kind: str, value: Any, path: tuple, lines: _Lines) -> list[Problem]:
    from hf_publish import vocab

    known = vocab.load(kind)
    if value in known:
        return []
    where = _dotted(list(path))
    close = known.closest(str(value))
    message = (f"{where}: {value!r} is not a {kind} id the Hub knows "
               f"(list of {len(known.ids)} ids dated {known.date})")
    if close:
        fix = f"use `{path[0]}: {close}`"
    elif kind == "license":
        fix = ("use an id from the Hub's license list (e.g. apache-2.0, mit, cc-by-4.0), or "
               "`license: other` with license_name and license_link for a custom license")
    else:
        fix = "use a pipeline_tag from the Hub's task list (e.g. text-classification, text-generation)"
    fix += "; if the Hub added this id after that date, run `hf-publish refresh-vocab`"
    return [Problem(lines.value(path), message, fix)]


_REPO_ID_RE = re.compile(r"(\b[\w\-.]{1,96}\b/)?\b[\w\-.]{1,96}\b", re.ASCII)


def repo_id_error(value: str) -> str | None:
    """None when huggingface_hub's `validate_repo_id` accepts `value`, else its message.

    The regex mirrors validate_repo_id (huggingface_hub 2.4.0) so valid ids never import it.
    """
    if (value.count("/") <= 1 and _REPO_ID_RE.fullmatch(value) and "--" not in value
            and ".." not in value and not value.endswith(".git")):
        return None
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(value)
    except HFValidationError as exc:
        return str(exc)
    return None


def _repo_id_problems(key: str, value: Any, lines: _Lines) -> list[Problem]:
    items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
    problems = []
    for index, item in items:
        if not isinstance(item, str):
            continue
        error = repo_id_error(item)
        if error is None:
            continue
        path = (key,) if index is None else (key, index)
        kind = "dataset" if key == "datasets" else "model"
        problems.append(Problem(
            lines.value(path),
            f"{_dotted(list(path))}: {item!r} is not a valid Hub repo id: {error}",
            f"use the {kind}'s Hub id as it appears in its URL, `namespace/name` "
            f"(e.g. {'stanfordnlp/imdb' if kind == 'dataset' else 'klue/bert-base'})",
        ))
    return problems


def _required_metadata(data: dict, card: CardPolicy, lines: _Lines) -> list[Problem]:
    import difflib

    problems = []
    for key in card.required_metadata:
        value = data.get(key)
        if key in data and value not in (None, "", [], {}):
            continue
        if key in data:
            problems.append(Problem(lines.key((key,)), f"required metadata {key!r} is empty",
                                    f"give it a value, e.g. `{key}: {_EXAMPLES.get(key, '...')}`"))
            continue
        close = difflib.get_close_matches(key, [k for k in data if isinstance(k, str)], n=1, cutoff=0.75)
        if close:
            problems.append(Problem(lines.key((close[0],)), f"required metadata {key!r} is missing; "
                                    f"{close[0]!r} at this line looks like a misspelling of it",
                                    f"rename {close[0]!r} to {key!r}"))
        else:
            problems.append(Problem(lines.fm.open_line, f"required metadata {key!r} is missing "
                                    "(card.required_metadata in the policy)",
                                    f"add `{key}: {_EXAMPLES.get(key, '...')}` to the metadata block"))
    return problems


# --- the card JSON Schemas -------------------------------------------------------------------

@lru_cache(maxsize=None)
def load_card_schema(repo_type: str) -> dict:
    name = f"card-{_card_type(repo_type)}.schema.json"
    return json.loads(resources.files("hf_publish.data").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def card_schema_validator(repo_type: str) -> "SchemaValidator":
    return SchemaValidator(load_card_schema(repo_type))


@dataclass(frozen=True)
class SchemaError:
    path: tuple
    keyword: str
    message: str
    schema: dict
    instance: Any = None


# The keywords SchemaValidator implements; annotations are ignored as JSON Schema says.
SUPPORTED_KEYWORDS = frozenset({
    "type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems",
    "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "anyOf", "$ref", "$defs",
})
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples"})


class SchemaValidator:
    """Draft 2020-12 validation for the keyword subset the card schemas use (see SUPPORTED_KEYWORDS).

    A schema using any other keyword is validated by jsonschema instead (same errors, slower import).
    """

    def __init__(self, schema: dict) -> None:
        self.schema = schema
        self.native = _only_supported(schema)

    def errors(self, instance: Any) -> list[SchemaError]:
        if not self.native:
            return self._jsonschema_errors(instance)
        out: list[SchemaError] = []
        self._check(instance, self.schema, (), out)
        return out

    def is_valid(self, instance: Any) -> bool:
        return not self.errors(instance)

    def _jsonschema_errors(self, instance: Any) -> list[SchemaError]:
        import jsonschema

        validator = jsonschema.Draft202012Validator(self.schema)
        return [SchemaError(tuple(e.absolute_path), str(e.validator), e.message, e.schema, e.instance)
                for e in validator.iter_errors(instance)]

    def resolve(self, schema: dict) -> dict:
        seen = 0
        while "$ref" in schema and seen < 32:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"unsupported $ref {ref!r}")
            target: Any = self.schema
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra} if extra else target
            seen += 1
        return schema

    def _check(self, inst: Any, schema: dict, path: tuple, out: list[SchemaError]) -> None:
        schema = self.resolve(schema)
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(_is_type(inst, t) for t in types):
                out.append(SchemaError(path, "type", f"{_show(inst)} is not {describe(schema, self)}", schema, inst))
                return
        if "enum" in schema and not any(_json_equal(inst, v) for v in schema["enum"]):
            out.append(SchemaError(path, "enum", f"{_show(inst)} is not one of: "
                                   + ", ".join(map(str, schema["enum"])), schema, inst))
        if "const" in schema and not _json_equal(inst, schema["const"]):
            out.append(SchemaError(path, "const", f"{_show(inst)} must be {schema['const']!r}", schema, inst))
        if isinstance(inst, str):
            if "minLength" in schema and len(inst) < schema["minLength"]:
                out.append(SchemaError(path, "minLength", "is empty" if not inst else
                                       f"is shorter than {schema['minLength']} characters", schema, inst))
            if "maxLength" in schema and len(inst) > schema["maxLength"]:
                out.append(SchemaError(path, "maxLength", f"is {len(inst)} characters; at most "
                                       f"{schema['maxLength']} are allowed", schema, inst))
            if "pattern" in schema and not re.search(schema["pattern"], inst):
                title = schema.get("title")
                out.append(SchemaError(path, "pattern", f"{_show(inst)} is not {_a(title)}" if title else
                                       f"{_show(inst)} does not match {schema['pattern']}", schema, inst))
        if _is_type(inst, "number"):
            if "minimum" in schema and inst < schema["minimum"]:
                out.append(SchemaError(path, "minimum", f"{inst} is less than {schema['minimum']}", schema, inst))
            if "maximum" in schema and inst > schema["maximum"]:
                out.append(SchemaError(path, "maximum", f"{inst} is more than {schema['maximum']}", schema, inst))
        if isinstance(inst, list):
            if "minItems" in schema and len(inst) < schema["minItems"]:
                out.append(SchemaError(path, "minItems", "is empty" if not inst else
                                       f"needs at least {schema['minItems']} entries", schema, inst))
            if "maxItems" in schema and len(inst) > schema["maxItems"]:
                out.append(SchemaError(path, "maxItems", f"has more than {schema['maxItems']} entries", schema, inst))
            if "items" in schema:
                for index, item in enumerate(inst):
                    self._check(item, schema["items"], path + (index,), out)
        if isinstance(inst, dict):
            for key in schema.get("required", ()):
                if key not in inst:
                    out.append(SchemaError(path, "required", f"missing {key!r}", schema, key))
            properties = schema.get("properties", {})
            for key, value in inst.items():
                if key in properties:
                    self._check(value, properties[key], path + (key,), out)
                elif "additionalProperties" in schema:
                    extra = schema["additionalProperties"]
                    if extra is False:
                        out.append(SchemaError(path + (key,), "additionalProperties", f"unknown key {key!r}", schema, key))
                    elif isinstance(extra, dict):
                        self._check(value, extra, path + (key,), out)
        if "anyOf" in schema:
            branches = []
            for sub in schema["anyOf"]:
                errors: list[SchemaError] = []
                self._check(inst, sub, path, errors)
                if not errors:
                    return
                branches.append((sub, errors))
            fitting = [errors for sub, errors in branches if _type_fits(inst, self.resolve(sub))]
            if len(fitting) == 1:
                out.extend(fitting[0])
            else:
                out.append(SchemaError(path, "anyOf", f"{_show(inst)} is not {describe(schema, self)}", schema, inst))


def _only_supported(schema: Any) -> bool:
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        if key in ANNOTATIONS:
            continue
        if key not in SUPPORTED_KEYWORDS:
            return False
        if key in ("properties", "$defs"):
            if not all(_only_supported(s) for s in value.values()):
                return False
        elif key == "items" or (key == "additionalProperties" and isinstance(value, dict)):
            if not _only_supported(value):
                return False
        elif key == "anyOf":
            if not all(_only_supported(s) for s in value):
                return False
        elif key == "$ref" and not (isinstance(value, str) and value.startswith("#/$defs/")):
            return False
        elif key == "pattern":
            try:
                re.compile(value)
            except re.error:
                return False
    return True


def _is_type(value: Any, json_type: str) -> bool:
    if json_type == "string":
        return isinstance(value, str)
    if json_type == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
    if json_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if json_type == "boolean":
        return isinstance(value, bool)
    if json_type == "null":
        return value is None
    if json_type == "array":
        return isinstance(value, list)
    if json_type == "object":
        return isinstance(value, dict)
    return False


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def _type_fits(inst: Any, schema: dict) -> bool:
    """Whether `inst` has a type `schema` is about (so its errors are the relevant ones)."""
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return any(_is_type(inst, t) for t in types)
    if "enum" in schema:
        return any(type(inst) is type(v) for v in schema["enum"])
    return False


_A_TYPE = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
           "object": "a mapping (key: value)", "array": "a list", "null": "empty (null)"}
_PLURAL = {"string": "strings", "integer": "integers", "number": "numbers", "boolean": "booleans",
           "object": "mappings", "array": "lists"}


def describe(schema: dict, validator: SchemaValidator) -> str:
    """What a schema accepts, in words: "a string or a list of strings"."""
    schema = validator.resolve(schema)
    if schema.get("title") and len(schema["title"]) < 40:
        return _a(schema["title"])
    if "enum" in schema:
        return "one of: " + ", ".join(map(str, schema["enum"]))
    if "anyOf" in schema:
        return " or ".join(describe(s, validator) for s in schema["anyOf"])
    types = schema.get("type")
    if isinstance(types, list):
        return " or ".join(_A_TYPE.get(t, t) for t in types)
    if types == "array" and isinstance(schema.get("items"), dict):
        items = validator.resolve(schema["items"])
        if items.get("title"):
            noun = items["title"]
            return "a list of " + (noun[:-1] + "ies" if noun.endswith("y") else noun + "s")
        if isinstance(items.get("type"), str):
            return "a list of " + _PLURAL.get(items["type"], items["type"])
    return _A_TYPE.get(types, "a valid value") if isinstance(types, str) or types is None else "a valid value"


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _a_type(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return _a(type(value).__name__)


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _a_type(value) if not value else ("a mapping" if isinstance(value, dict) else "a list")
    if value is None:
        return "an empty value"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _dotted(path: list) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _accepts_string(schema: dict, validator: SchemaValidator) -> bool:
    schema = validator.resolve(schema)
    if "anyOf" in schema:
        return any(_accepts_string(s, validator) for s in schema["anyOf"])
    return _type_fits("text", schema)


def _schema_problem(error: SchemaError, root: yaml.Node | None, lines: _Lines, repo_type: str) -> Problem:
    path = list(error.path)
    where = _dotted(path) or "metadata"
    validator = card_schema_validator(repo_type)
    if error.keyword == "required":
        key = error.instance
        line = lines.value(tuple(path)) if path else lines.fm.open_line
        return Problem(line, f"{where}: missing {key!r}" if path else f"{repo_type} card metadata is missing {key!r}",
                       _REQUIRED_FIXES.get(key, f"add `{key}:` here"))
    line = lines.value(tuple(path))
    node = node_at(root, path)
    if error.keyword in ("type", "anyOf") and isinstance(node, yaml.ScalarNode) and not node.style \
            and not isinstance(error.instance, str) and _accepts_string(error.schema, validator):
        # YAML 1.1 (PyYAML, huggingface_hub) reads `no`, `on`, `2024-01-01` as a boolean or a date:
        # quoting keeps the text whatever YAML version the reader implements.
        kind = "true/false" if isinstance(error.instance, bool) else _a(type(error.instance).__name__)
        quoted = f'{path[-1]}: "{node.value}"' if path and isinstance(path[-1], str) else f'"{node.value}"'
        return Problem(line, f"{where}: {node.value} is read by YAML as {kind}, not as the text {node.value!r}",
                       f"quote it: `{quoted}`")
    if error.keyword == "enum":
        allowed = [str(v) for v in error.schema["enum"]]
        import difflib

        close = difflib.get_close_matches(str(error.instance), allowed, n=1)
        fix = f"use {close[0]!r}" if close else f"use one of: {', '.join(allowed)}"
        if path == ["sdk"] and str(error.instance).lower() == "streamlit":
            fix = "streamlit Spaces were retired in 2025-07: use `sdk: docker` with a Dockerfile that runs streamlit"
        return Problem(line, f"{where}: {error.message}", fix)
    if error.keyword == "maxLength":
        return Problem(line, f"{where} {error.message}", f"shorten it to {error.schema['maxLength']} characters or fewer")
    if error.keyword in ("minLength", "minItems"):
        return Problem(line, f"{where} {error.message}", "give it a value, or remove the key")
    if error.keyword == "pattern" and error.schema.get("description"):
        return Problem(line, f"{where}: {error.message}", f"use {error.schema['description']}")
    expected = describe(error.schema, validator)
    fix = f"make {where} {expected}"
    if "list" in expected and not isinstance(error.instance, list):
        fix += f" (one `- item` line per entry under `{path[-1] if path else where}:`)" if path and isinstance(path[-1], str) else ""
    return Problem(line, f"{where}: {error.message}", fix)


_REQUIRED_FIXES = {
    "sdk": "add `sdk: gradio` (or docker, static): the Hub cannot build a Space without it",
    "name": "add `name:` with a display name",
    "results": "add `results:` with a list of {task, dataset, metrics}",
    "task": "add `task: {type: text-classification}` (the task's pipeline_tag)",
    "dataset": "add `dataset: {type: org/dataset, name: Dataset Name}`",
    "metrics": "add `metrics: [{type: accuracy, value: 0.91}]`",
    "type": "add `type:` (a task id, dataset id or metric id)",
    "value": "add `value:` with the measured number",
    "config_name": "add `config_name: default`",
}


# --- placeholders ----------------------------------------------------------------------------

_YAML_COMMENT_RE = re.compile(r"(^|[ \t])#.*$")


def front_matter_placeholders(fm: FrontMatter) -> list[Problem]:
    """Placeholders in metadata values (YAML comments are ignored, like HTML comments)."""
    problems = []
    for offset, line in enumerate(fm.yaml_text.split("\n")):
        found = placeholders_in(_YAML_COMMENT_RE.sub("", line))
        if found:
            problems.append(_placeholder_problem(fm.first_line + offset, found, "metadata"))
    return problems


def placeholder_problems(doc: MarkdownDoc) -> list[Problem]:
    """Each line of prose (not code, not HTML comments) holding a template placeholder."""
    starts = [h.line for h in doc.headings]
    problems = []
    for line in doc.lines:
        if line.code or not line.visible:
            continue
        found = placeholders_in(line.visible)
        if not found:
            continue
        if line.heading:
            section = None
        else:
            at = bisect.bisect_right(starts, line.number) - 1
            section = doc.headings[at].text if at >= 0 else None
        problems.append(_placeholder_problem(line.number, found, section))
    return problems


def _placeholder_problem(line: int, found: list[str], section: str | None) -> Problem:
    shown = ", ".join(_clip(f) for f in dict.fromkeys(found))
    where = f" in {section}" if section == "metadata" else (f" (section {_clip(section)!r})" if section else "")
    if any(f.startswith("{{") for f in found):
        fix = "this is an unrendered template variable: replace it with the real value"
    elif any(f.upper() in ("TODO", "TBD") for f in found):
        fix = "finish what the marker stands for and delete it"
    else:
        fix = "write the real information here, or delete the line if it does not apply to this model"
    return Problem(line, f"template placeholder left{where}: {shown}", fix)


# --- sections ----------------------------------------------------------------------------------

_BOLD_LINE_RE = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*:?\s*$")


def _bold_pseudo_heading(doc: MarkdownDoc, wanted: set[str]):
    """A prose line that is only bold text matching an accepted heading (`**Usage**`), or None."""
    for line in doc.lines:
        if not line.code and not line.heading and _BOLD_LINE_RE.match(line.visible) \
                and normalize_heading(line.visible) in wanted:
            return line
    return None


def _unbold(text: str) -> str:
    match = _BOLD_LINE_RE.match(text)
    return match.group(2).strip() if match else text.strip()

def section_problems(doc: MarkdownDoc, card: CardPolicy, repo_type: str = "model") -> list[Problem]:
    """Each required section: present under an accepted heading of level >= 2, and not empty."""
    import difflib

    normalized = [normalize_heading(h.text) for h in doc.headings]
    problems = []
    for section in card.required_sections:
        accepted = card.headings_for(section)
        wanted = {normalize_heading(h) for h in accepted}
        matches = [i for i, n in enumerate(normalized) if n in wanted]
        deep = [i for i in matches if doc.headings[i].level >= 2]
        shown = ", ".join(accepted)
        if not deep:
            if matches:
                h = doc.headings[matches[0]]
                problems.append(Problem(h.line, f"required section {section!r}: '{'#' * h.level} {h.text}' is a "
                                        "level-1 heading (the card title's level); sections need ## or deeper",
                                        f"make it `## {h.text}`"))
                continue
            bold = _bold_pseudo_heading(doc, wanted)
            if bold is not None:
                problems.append(Problem(
                    bold.number,
                    f"required section {section!r} is missing; {bold.visible.strip()!r} here is bold text, not a heading",
                    f"make it a heading: `## {_unbold(bold.visible)}`",
                ))
                continue
            close = None
            for i, n in enumerate(normalized):
                if doc.headings[i].level >= 2 and n and difflib.get_close_matches(n, list(wanted), n=1, cutoff=0.8):
                    close = doc.headings[i]
                    break
            if close is not None:
                problems.append(Problem(
                    close.line,
                    f"required section {section!r} is missing; the heading {close.text!r} here looks like it "
                    f"but is not one of the accepted headings ({shown})",
                    f"rename it to `{'#' * close.level} {accepted[0]}`, or accept it in .hf-publish.yaml: "
                    f"card: {{section_headings: {{{section}: [{close.text!r}]}}}}",
                ))
            else:
                problems.append(Problem(
                    None,
                    f"required section {section!r} is missing (accepted headings: {shown})",
                    f"add a `## {accepted[0]}` section: {section_hint(section, repo_type)}",
                ))
            continue
        spans = {i: section_span(doc, i) for i in deep}
        if any(any(is_substantive(line) for line in span) for span in spans.values()):
            continue
        first = doc.headings[deep[0]]
        span = spans[deep[0]]
        detail = ""
        if any(placeholders_in(line.visible) for line in span if not line.code):
            detail = " (it holds only placeholders)"
        elif any(line.heading for line in span):
            detail = " (its sub-sections are empty)"
        problems.append(Problem(
            first.line,
            f"required section {section!r} ('{first.text}') is empty{detail}",
            f"under this heading, {section_hint(section, repo_type)}",
        ))
    return problems
