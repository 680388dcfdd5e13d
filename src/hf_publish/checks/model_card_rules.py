"""The rules of the model-card check over one card's bytes: `card_problems(raw, repo_type, card,
repo)`, a pure function (no I/O, no policy loading), which `checks.model_card` calls through the
card result cache (`cards.cache`) and `org audit` on the READMEs the Hub serves.

Importing this module costs a hook ~30 ms (PyYAML, the card parsers, jsonschema's cache layer),
so `checks.model_card` imports it only for a card it has not seen before.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

import yaml

from hf_publish.cards import rules
from hf_publish.cards.parse import (
    Composed,
    FrontMatter,
    MarkdownDoc,
    MdLine,
    Problem,
    bold_line_text,
    compose_front_matter,
    decode_card,
    hub_reading,
    is_substantive,
    may_hold_placeholders,
    normalize_heading,
    parse_markdown,
    placeholders_in,
    section_span,
    split_front_matter,
    structural_problems,
    yaml_to_data,
)
from hf_publish.cards.rules import card_type
from hf_publish.cards.schema import (
    SchemaError,
    a_type,
    card_schema,
    show_value,
)
from hf_publish.policy.model import CardPolicy, RepoSpec
from hf_publish.yamltree import TooManyNodes, key_node_at, node_at

MAX_PLACEHOLDER_FINDINGS = 200  # per card: past this, one finding counts the rest

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


def card_problems(raw: bytes, repo_type: str, card: CardPolicy, repo: RepoSpec | None = None) -> list[Problem]:
    text, problems = decode_card(raw)
    if text is None:
        return problems
    split = split_front_matter(text)
    problems.extend(split.problems)
    fm = split.front_matter
    if fm is not None:
        composed = compose_front_matter(fm)
        problems.extend(composed.problems)
        if composed.ok:
            problems.extend(metadata_problems(composed, fm, repo_type, card, repo))
        if not card.allow_placeholders:
            problems.extend(front_matter_placeholders(fm))
    elif split.missing:
        problems.append(_no_front_matter(card, repo_type))
    doc = parse_markdown(split.body_lines, split.body_first_line)
    if not card.allow_placeholders and may_hold_placeholders("\n".join(split.body_lines)):
        problems.extend(placeholder_problems(doc))
    problems.extend(section_problems(doc, card, repo_type))
    return problems


def _no_front_matter(card: CardPolicy, repo_type: str) -> Problem:
    keys = list(card.required_metadata)
    if repo_type == "space" and "sdk" not in keys:
        keys.append("sdk")
    example = ", then ".join(f"`{k}: {_EXAMPLES.get(k, '...')}`" for k in keys or ["license"])
    fix = f"put a metadata block at the very top of README.md: a line `---`, then {example}, then a line `---`"
    if repo_type == "space":
        return Problem(
            1,
            "the Space card has no metadata block (YAML front matter between --- lines at the top): "
            "the Hub needs `sdk` in it to build the Space",
            fix,
            rules.METADATA_SCHEMA,
        )
    if card.required_metadata:
        return Problem(
            1,
            f"the card has no metadata block (YAML front matter between --- lines at the top), so "
            f"the required metadata {', '.join(map(repr, card.required_metadata))} is missing "
            "(card.required_metadata in the policy)",
            fix,
            rules.REQUIRED_METADATA,
        )
    return Problem(
        1,
        "the card has no metadata block (YAML front matter between --- lines at the top): the Hub "
        f"accepts it, but the page shows no license and no filter finds the {repo_type}",
        fix,
        rules.METADATA_MISSING,
    )


_EXAMPLES = {
    "license": "apache-2.0",
    "language": "ko",
    "pipeline_tag": "text-classification",
    "library_name": "transformers",
    "base_model": "klue/bert-base",
    "tags": "[sentiment]",
    "sdk": "gradio",
    "datasets": "[org/dataset-name]",
    "license_name": "my-license",
    "license_link": "LICENSE",
    "short_description": "One line about the Space",
}


# --- metadata ----------------------------------------------------------------------------------


def metadata_problems(
    composed: Composed, fm: FrontMatter, repo_type: str, card: CardPolicy, repo: RepoSpec | None = None
) -> list[Problem]:
    """Schema, vocabularies, repo ids and required keys of a composed front matter.

    The metadata is judged as the Hub reads it (YAML 1.2); where PyYAML, and so huggingface_hub,
    reads a value otherwise (YAML 1.1) and that reading fails where the Hub's passes, a warning
    says both readings."""
    root = composed.root
    problems: list[Problem] = []
    hub_data: Any = {}
    client_data: Any = {}
    if root is not None:
        try:
            problems.extend(structural_problems(root, fm.first_line))
        except TooManyNodes:
            return [
                Problem(
                    fm.open_line,
                    "the metadata expands to too many YAML nodes (anchors and aliases nested "
                    "too deep: a 'billion laughs' document?)",
                    "write the metadata out without nested anchors (&) and aliases (*)",
                    rules.YAML_TOO_COMPLEX,
                )
            ]
        if any(p.rule.severity == "error" for p in problems):
            return problems
        try:
            client_data = yaml_to_data(root)
            hub_data = hub_reading(composed)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = fm.first_line + mark.line if mark is not None else fm.open_line
            return problems + [
                Problem(
                    line,
                    f"metadata YAML error: {getattr(exc, 'problem', None) or exc}",
                    "use plain YAML values: no !!tags",
                    rules.YAML_UNSAFE_TAG,
                )
            ]
        hub_data = {} if hub_data is None else hub_data
        client_data = {} if client_data is None else client_data
    if not isinstance(hub_data, dict):
        return problems + [
            Problem(
                fm.first_line,
                f"the metadata must be a mapping of `key: value` lines, not "
                f"{a_type(hub_data)}: ModelCard raises ValueError on it",
                "write one `key: value` per line, e.g. `license: apache-2.0`",
                rules.METADATA_NOT_MAPPING,
            )
        ]
    lines = _Lines(root, fm)
    validator = card_schema(card_type(repo_type))
    # A key set to nothing (`thumbnail:`) is no value at all: huggingface_hub drops it, the Hub shows nothing.
    hub_values = {k: v for k, v in hub_data.items() if v is not None}
    hub_errors = validator.errors(hub_values)
    bad_paths = {e.path for e in hub_errors}
    model_index = [e for e in hub_errors if e.path[:1] == ("model-index",)]
    for error in hub_errors:
        if error not in model_index:
            problems.append(_schema_problem(error, root, lines, repo_type, client_data))
    if model_index:
        problems.extend(_model_index_problems(model_index, lines, repo_type, client_data))

    def valid(*path: Any) -> bool:
        return not any(p[: len(path)] == path for p in bad_paths)

    if valid("license"):
        problems.extend(_license_problems(hub_values, lines))
    if repo_type == "model" and "pipeline_tag" in hub_values and valid("pipeline_tag"):
        problems.extend(_vocab_problem("pipeline_tag", hub_values["pipeline_tag"], ("pipeline_tag",), lines))
    for key in REPO_ID_KEYS.get(repo_type, ()):
        if key in hub_values and valid(key):
            problems.extend(_repo_id_problems(key, hub_values[key], lines))
    if repo_type == "space" and hub_values.get("sdk") == "streamlit":
        problems.append(
            Problem(
                lines.value(("sdk",)),
                "sdk: streamlit: the Hub still serves existing streamlit Spaces and accepts this card, "
                "but no longer offers streamlit for new Spaces",
                "keep it for a Space that exists; for a new Space use `sdk: docker` with a "
                "Dockerfile that runs streamlit",
                rules.SPACE_SDK_STREAMLIT,
            )
        )
    if (
        repo_type == "space"
        and repo is not None
        and repo.sdk
        and isinstance(hub_values.get("sdk"), str)
        and hub_values["sdk"] != repo.sdk
        and valid("sdk")
    ):
        problems.append(
            Problem(
                lines.value(("sdk",)),
                f"sdk is {hub_values['sdk']!r} but the policy configures {repo.sdk!r} for Space {repo.name!r}",
                f"set `sdk: {repo.sdk}`, or change repos[].sdk in .hf-publish.yaml",
                rules.SPACE_SDK_POLICY,
            )
        )
    judged = {p.rule for p in problems}
    blocked = bad_paths | {
        (key,)
        for key, rule in (("license", rules.LICENSE_UNKNOWN), ("pipeline_tag", rules.PIPELINE_TAG_UNKNOWN))
        if rule in judged
    }
    if isinstance(client_data, dict):
        # What the Hub reads passes, what PyYAML (huggingface_hub) reads fails: the readers disagree.
        client_values = {k: v for k, v in client_data.items() if v is not None}
        for error in validator.errors(client_values):
            if not any(error.path[: len(p)] == p for p in blocked):
                problems.append(_readers_disagree(error, root, lines))
    problems.extend(_required_metadata(hub_data, card, lines))
    if not hub_data and not card.required_metadata and repo_type != "space":
        problems.append(
            Problem(
                fm.open_line,
                "the metadata block is empty: the Hub accepts it, but the page shows "
                f"no license and no filter finds the {repo_type}",
                f"add `license: {_EXAMPLES['license']}` (and language, tags...) between the --- lines",
                rules.METADATA_MISSING,
            )
        )
    return problems


class _Lines:
    """README lines of metadata paths."""

    def __init__(self, root: yaml.Node | None, fm: FrontMatter) -> None:
        self.root, self.fm = root, fm

    def value(self, path: tuple[str | int, ...]) -> int:
        node = node_at(self.root, list(path))
        return self.fm.first_line + node.start_mark.line if node is not None else self.fm.open_line

    def key(self, path: tuple[str | int, ...]) -> int:
        node = key_node_at(self.root, list(path))
        return self.fm.first_line + node.start_mark.line if node is not None else self.value(path)


REPO_ID_KEYS = {
    "model": ("base_model", "datasets", "new_version"),
    "dataset": (),
    "space": ("models", "datasets"),
}


def _license_problems(data: dict[str, Any], lines: _Lines) -> list[Problem]:
    if "license" not in data:
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
            problems.append(
                Problem(
                    lines.key(("license",)),
                    f"license: other without {' and '.join(missing)}: the Hub accepts the card, but its license shows "
                    'only "other"'
                    + (", with no name" if "license_name" in missing else "")
                    + (" and no link to the terms" if "license_link" in missing else ""),
                    "add "
                    + " and ".join(f"`{k}: {_EXAMPLES[k]}`" for k in missing)
                    + " (license_link: a URL or the path of the license file in the repo)",
                    rules.LICENSE_OTHER_UNNAMED,
                )
            )
    return problems


def _vocab_problem(kind: str, value: Any, path: tuple[str | int, ...], lines: _Lines) -> list[Problem]:
    from hf_publish.cards import vocab

    known = vocab.load(kind)
    if value in known:
        return []
    where = _dotted(list(path))
    shown = show_value(value)
    listed = f"(list of {len(known.ids)} ids dated {known.date})"
    refresh = "; if the Hub added this id after that date, run `hf-publish refresh-vocab`"
    if kind == "license":
        same = known.same_license(str(value))
        fix = (
            f"use `{path[0]}: {same}` (the Hub's id for this license)"
            if same
            else "use the Hub's id for this license if it has one (licenses.json), or `license: other` with "
            "`license_name` and `license_link` for a license the Hub does not list"
        )
        return [
            Problem(
                lines.value(path),
                f"{where}: {shown} is not a license id the Hub knows {listed}: the Hub refuses the push",
                fix + refresh,
                rules.LICENSE_UNKNOWN,
            )
        ]
    close = known.closest(str(value))
    fix = (
        f"use `{path[0]}: {close}`"
        if close
        else "use a pipeline_tag from the Hub's task list (e.g. text-classification, text-generation)"
    )
    return [
        Problem(
            lines.value(path),
            f"{where}: {shown} is not a pipeline_tag the Hub knows {listed}: the Hub "
            "accepts the card but flags the tag on the page, and no task filter or "
            "widget applies",
            fix + refresh,
            rules.PIPELINE_TAG_UNKNOWN,
        )
    ]


_REPO_ID_RE = re.compile(r"(\b[\w\-.]{1,96}\b/)?\b[\w\-.]{1,96}\b", re.ASCII)


def repo_id_error(value: str) -> str | None:
    """None when huggingface_hub's `validate_repo_id` accepts `value`, else its message.

    The regex mirrors validate_repo_id (huggingface_hub 2.4.0) so valid ids never import it.
    """
    if (
        value.count("/") <= 1
        and _REPO_ID_RE.fullmatch(value)
        and "--" not in value
        and ".." not in value
        and not value.endswith(".git")
    ):
        return None
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils._validators import validate_repo_id

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
        problems.append(
            Problem(
                lines.value(path),
                f"{_dotted(list(path))}: {item!r} is not a valid Hub repo id: {error}",
                f"use the {kind}'s Hub id as it appears in its URL, `namespace/name` "
                f"(e.g. {'stanfordnlp/imdb' if kind == 'dataset' else 'klue/bert-base'})",
                rules.REPO_ID_INVALID,
            )
        )
    return problems


def _required_metadata(data: dict[str, Any], card: CardPolicy, lines: _Lines) -> list[Problem]:
    import difflib

    problems = []
    for key in card.required_metadata:
        value = data.get(key)
        if key in data and value not in (None, "", [], {}):
            continue
        if key in data:
            problems.append(
                Problem(
                    lines.key((key,)),
                    f"required metadata {key!r} is empty",
                    f"give it a value, e.g. `{key}: {_EXAMPLES.get(key, '...')}`",
                    rules.REQUIRED_METADATA,
                )
            )
            continue
        close = difflib.get_close_matches(key, [k for k in data if isinstance(k, str)], n=1, cutoff=0.75)
        if close:
            problems.append(
                Problem(
                    lines.key((close[0],)),
                    f"required metadata {key!r} is missing; {close[0]!r} at this line looks like a misspelling of it",
                    f"rename {close[0]!r} to {key!r}",
                    rules.REQUIRED_METADATA,
                )
            )
        else:
            problems.append(
                Problem(
                    lines.fm.open_line,
                    f"required metadata {key!r} is missing (card.required_metadata in the policy)",
                    f"add `{key}: {_EXAMPLES.get(key, '...')}` to the metadata block",
                    rules.REQUIRED_METADATA,
                )
            )
    return problems


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
            continue
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            continue
        return None
    return data


def _yaml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, default=str)


def _schema_problem(
    error: SchemaError, root: yaml.Node | None, lines: _Lines, repo_type: str, client_data: Any = None
) -> Problem:
    path = list(error.path)
    where = _dotted(path) or "metadata"
    validator = card_schema(card_type(repo_type))
    rule = rules.METADATA_SCHEMA
    if error.keyword == "required":
        key = error.instance
        line = lines.value(tuple(path)) if path else lines.fm.open_line
        return Problem(
            line,
            f"{where}: missing {key!r}" if path else f"{repo_type} card metadata is missing {key!r}",
            _REQUIRED_FIXES.get(key, f"add `{key}:` here"),
            rule,
        )
    line = lines.value(tuple(path))
    node = node_at(root, path)
    client = _value_at(client_data, tuple(path))
    if (
        isinstance(node, yaml.ScalarNode)
        and not node.style
        and isinstance(error.instance, str)
        and client is not None
        and not isinstance(client, str)
    ):
        # `pinned: yes`: PyYAML (YAML 1.1) reads true, the Hub (YAML 1.2) reads the text "yes".
        literal = _yaml_literal(client)
        key = f"{path[-1]}: " if path and isinstance(path[-1], str) else "- "
        return Problem(
            line,
            f"{where}: {error.message}: the Hub reads YAML 1.2, where {node.value} is text; only "
            f"YAML 1.1 readers such as PyYAML read it as {literal}",
            f"write `{key}{literal}`",
            rule,
        )
    if error.keyword == "enum":
        allowed = [str(v) for v in error.schema["enum"]]
        import difflib

        close = difflib.get_close_matches(str(error.instance)[:200], allowed, n=1)
        fix = f"use {close[0]!r}" if close else f"use one of: {', '.join(allowed)}"
        return Problem(line, f"{where}: {error.message}", fix, rule)
    if error.keyword == "maxLength":
        return Problem(
            line, f"{where} {error.message}", f"shorten it to {error.schema['maxLength']} characters or fewer", rule
        )
    if error.keyword in ("minLength", "minItems"):
        return Problem(line, f"{where} {error.message}", "give it a value, or remove the key", rule)
    if error.keyword == "pattern" and error.schema.get("description"):
        return Problem(line, f"{where}: {error.message}", f"use {error.schema['description']}", rule)
    expected = validator.describe(error.schema)
    fix = f"make {where} {expected}"
    if "list" in expected and not isinstance(error.instance, list):
        fix += (
            f" (one `- item` line per entry under `{path[-1] if path else where}:`)"
            if path and isinstance(path[-1], str)
            else ""
        )
    return Problem(line, f"{where}: {error.message}", fix, rule)


def _model_index_problems(errors: list[SchemaError], lines: _Lines, repo_type: str, client_data: Any) -> list[Problem]:
    """model-index off the spec: the Hub accepts the card and shows a notice instead of the results;
    what huggingface_hub does with it is asked of huggingface_hub itself."""
    reaction = ""
    client_error = client_model_index_error(client_data) if repo_type == "model" else None
    if client_error:
        reaction = (
            f"; huggingface_hub's ModelCard.load() raises ValueError on it ({client_error}) unless "
            "ignore_metadata_errors=True, which drops the evaluation results"
        )
    problems = []
    for error in errors:
        base = _schema_problem(error, lines.root, lines, repo_type, client_data)
        problems.append(
            Problem(
                base.line,
                base.message + ": the Hub accepts the card but shows a metadata notice on "
                "the page instead of the evaluation results" + reaction,
                base.fix,
                rules.MODEL_INDEX_SHAPE,
            )
        )
    return problems


def client_model_index_error(client_data: Any) -> str | None:
    """What huggingface_hub's ModelCardData says of this metadata's model-index, or None if it loads it."""
    if not isinstance(client_data, dict) or "model-index" not in client_data:
        return None
    from huggingface_hub import ModelCardData

    try:
        ModelCardData(**{"model-index": client_data["model-index"]})
    except ValueError as exc:
        return _clip(str(exc).split(". Pass `ignore_metadata_errors", 1)[0], 160)
    except Exception as exc:
        return _clip(f"{type(exc).__name__}: {exc}", 160)
    return None


def _readers_disagree(error: SchemaError, root: yaml.Node | None, lines: _Lines) -> Problem:
    """The Hub's reading passes, PyYAML's fails: name the value and both readings."""
    path = tuple(error.path)
    node = node_at(root, list(path))
    scalar = next(_plain_scalars_read_otherwise(node), None)
    where = _dotted(list(path)) or "metadata"
    if scalar is None:
        return Problem(
            lines.value(path),
            f"{where}: PyYAML (YAML 1.1), and so huggingface_hub's ModelCard.load(), "
            f"reads this value otherwise than the Hub (YAML 1.2): {error.message}",
            "quote the value so every YAML reader reads the same text",
            rules.YAML_READERS_DISAGREE,
        )
    line = lines.fm.first_line + scalar.start_mark.line
    client = yaml.SafeLoader("").construct_object(scalar)
    return Problem(
        line,
        f"{where}: the Hub's YAML (1.2) reads {scalar.value} as the text {scalar.value!r}, but PyYAML, and so "
        f"huggingface_hub's ModelCard.load() (YAML 1.1), reads it as {_yaml_literal(client)}",
        f'quote it, so both read the text: `"{scalar.value}"`',
        rules.YAML_READERS_DISAGREE,
    )


def _plain_scalars_read_otherwise(node: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """Plain scalars under `node` that YAML 1.1 and YAML 1.2 resolve differently."""
    from hf_publish.cards.parse import CORE_RESOLVER

    resolve = cast("Callable[[type[yaml.Node], str, tuple[bool, bool]], str]", CORE_RESOLVER.resolve)  # untyped stub
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            if not current.style and resolve(yaml.ScalarNode, current.value, (True, False)) != current.tag:
                yield current
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                stack.extend((value, key))


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
    return _capped(problems)


def placeholder_problems(doc: MarkdownDoc) -> list[Problem]:
    """Each line of prose (not code, not HTML comments) holding a template placeholder."""
    starts = [h.line for h in doc.headings]
    problems: list[Problem] = []
    for line in doc.lines:
        if line.code or not line.visible:
            continue
        found = placeholders_in(line.visible)
        if not found:
            continue
        if len(problems) >= MAX_PLACEHOLDER_FINDINGS:
            return problems + [_more_placeholders(line.number)]
        if line.heading:
            section = None
        else:
            at = bisect.bisect_right(starts, line.number) - 1
            section = doc.headings[at].text if at >= 0 else None
        problems.append(_placeholder_problem(line.number, found, section))
    return problems


def _capped(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PLACEHOLDER_FINDINGS findings, then one that says more follow."""
    if len(problems) <= MAX_PLACEHOLDER_FINDINGS:
        return problems
    return problems[:MAX_PLACEHOLDER_FINDINGS] + [_more_placeholders(problems[MAX_PLACEHOLDER_FINDINGS].line)]


def _more_placeholders(line: int | None) -> Problem:
    return Problem(
        line,
        f"more template placeholders from this line on (the first {MAX_PLACEHOLDER_FINDINGS} "
        "lines with one are listed above)",
        "fill in or delete every placeholder the template left",
        rules.PLACEHOLDER,
    )


def _placeholder_problem(line: int, found: list[str], section: str | None) -> Problem:
    shown = ", ".join(_clip(f) for f in list(dict.fromkeys(found))[:10])
    where = f" in {section}" if section == "metadata" else (f" (section {_clip(section)!r})" if section else "")
    if any(f.startswith("{{") for f in found):
        fix = "this is an unrendered template variable: replace it with the real value"
    elif any(f.upper() in ("TODO", "TBD") for f in found):
        fix = "finish what the marker stands for and delete it"
    else:
        fix = "write the real information here, or delete the line if it does not apply to this model"
    return Problem(line, f"template placeholder left{where}: {shown}", fix, rules.PLACEHOLDER)


# --- sections ----------------------------------------------------------------------------------

MAX_CLOSE_HEADING_CANDIDATES = 200  # distinct headings compared with difflib for a "did you mean"


def _bold_pseudo_heading(doc: MarkdownDoc, wanted: set[str]) -> MdLine | None:
    """A prose line that is only bold text matching an accepted heading (`**Usage**`), or None."""
    for line in doc.lines:
        if not line.code and not line.heading:
            text = bold_line_text(line.visible)
            if text is not None and normalize_heading(line.visible) in wanted:
                return line
    return None


def _unbold(text: str) -> str:
    bold = bold_line_text(text)
    return bold.strip() if bold is not None else text.strip()


def section_problems(doc: MarkdownDoc, card: CardPolicy, repo_type: str = "model") -> list[Problem]:
    """Each required section: present under an accepted heading of level >= 2, and not empty."""
    import difflib

    seen: dict[str, str] = {}  # a card may repeat one heading thousands of times: normalize it once
    normalized = [
        seen[h.text] if h.text in seen else seen.setdefault(h.text, normalize_heading(h.text)) for h in doc.headings
    ]
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
                problems.append(
                    Problem(
                        h.line,
                        f"required section {section!r}: '{'#' * h.level} {_clip(h.text)}' is a "
                        "level-1 heading (the card title's level); sections need ## or deeper",
                        f"make it `## {_clip(h.text)}`",
                        rules.SECTION_MISSING,
                    )
                )
                continue
            bold = _bold_pseudo_heading(doc, wanted)
            if bold is not None:
                problems.append(
                    Problem(
                        bold.number,
                        f"required section {section!r} is missing; {_clip(bold.visible.strip())!r} here is bold text, "
                        "not a heading",
                        f"make it a heading: `## {_clip(_unbold(bold.visible))}`",
                        rules.SECTION_MISSING,
                    )
                )
                continue
            close = None
            candidates: dict[str, int] = {}
            for i, n in enumerate(normalized):
                if doc.headings[i].level >= 2 and n and len(n) <= 100 and n not in candidates:
                    candidates[n] = i
                    if len(candidates) >= MAX_CLOSE_HEADING_CANDIDATES:
                        break
            for n, i in candidates.items():
                if difflib.get_close_matches(n, list(wanted), n=1, cutoff=0.8):
                    close = doc.headings[i]
                    break
            if close is not None:
                problems.append(
                    Problem(
                        close.line,
                        f"required section {section!r} is missing; the heading {close.text!r} here looks like it "
                        f"but is not one of the accepted headings ({shown})",
                        f"rename it to `{'#' * close.level} {accepted[0]}`, or accept it in .hf-publish.yaml: "
                        f"card: {{section_headings: {{{section}: [{close.text!r}]}}}}",
                        rules.SECTION_MISSING,
                    )
                )
            else:
                problems.append(
                    Problem(
                        None,
                        f"required section {section!r} is missing (accepted headings: {shown})",
                        f"add a `## {accepted[0]}` section: {section_hint(section, repo_type)}",
                        rules.SECTION_MISSING,
                    )
                )
            continue
        if any(any(is_substantive(line) for line in section_span(doc, i)) for i in deep):
            continue
        first = doc.headings[deep[0]]
        span = section_span(doc, deep[0])
        detail = ""
        if any(placeholders_in(line.visible) for line in span if not line.code):
            detail = " (it holds only placeholders)"
        elif any(line.heading for line in span):
            detail = " (its sub-sections are empty)"
        problems.append(
            Problem(
                first.line,
                f"required section {section!r} ('{_clip(first.text)}') is empty{detail}",
                f"under this heading, {section_hint(section, repo_type)}",
                rules.SECTION_EMPTY,
            )
        )
    return problems
