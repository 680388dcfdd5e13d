"""Card metadata against the Hub's card JSON Schemas (`data/card-{model,dataset,space}.schema.json`).

jsonschema validates; this module words its errors for people ("'apache2' is not one of: ...",
"a string or a list of strings") and keeps the path of each, so the check can point at the line.
Importing jsonschema costs ~95 ms, most of a hook's budget, so the worded errors are remembered by
the hash of (package version, schema, metadata): in memory, and in the user cache
(`$XDG_CACHE_HOME/hf-publish/card-metadata`, off with HF_PUBLISH_NO_CACHE=1). A card whose
metadata did not change since the last run never imports jsonschema.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from hf_publish._record import Record
from hf_publish.paths import cache_home

CACHE_FOLDER = "card-metadata"


class SchemaError(Record):
    """One metadata error: where (`path` into the metadata), which keyword failed, the worded
    `message`, the sub-schema holding the keyword and the value it judged."""

    path: tuple[str | int, ...]
    keyword: str
    message: str
    schema: dict[str, Any]
    instance: Any = None


@cache
def load_card_schema(card_type: str) -> dict[str, Any]:
    """The shipped schema for "model", "dataset" or "space" cards."""
    name = f"card-{card_type}.schema.json"
    data: dict[str, Any] = json.loads(resources.files("hf_publish.data").joinpath(name).read_text(encoding="utf-8"))
    return data


@cache
def card_schema(card_type: str) -> CardSchema:
    return CardSchema(load_card_schema(card_type))


class CardSchema:
    """One card schema: `errors(metadata)` lists what is wrong, worded, in the metadata's order."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._digest = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
        self._memory: dict[str, list[SchemaError]] = {}

    def errors(self, instance: Any) -> list[SchemaError]:
        key = self._key(instance)
        if key is None:  # not JSON data (e.g. a YAML date read by PyYAML): validate, do not cache
            return self._validate(instance)
        if key in self._memory:
            return self._memory[key]
        found = _read_cache(key, instance)
        if found is None:
            found = self._validate(instance)
            _write_cache(key, found, instance)
        self._memory[key] = found
        return found

    def is_valid(self, instance: Any) -> bool:
        return not self.errors(instance)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """`schema` with its local `$ref` followed (siblings of the `$ref` kept)."""
        for _ in range(32):
            ref = schema.get("$ref")
            if not isinstance(ref, str) or not ref.startswith("#/"):
                return schema
            target: Any = self.schema
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra} if extra else target
        return schema

    def describe(self, schema: dict[str, Any]) -> str:
        """What a schema accepts, in words: "a string or a list of strings"."""
        schema = self.resolve(schema)
        if schema.get("title") and len(schema["title"]) < 40:
            return with_article(schema["title"])
        if "enum" in schema:
            return "one of: " + ", ".join(map(str, schema["enum"]))
        if "anyOf" in schema:
            return " or ".join(self.describe(s) for s in schema["anyOf"])
        types = schema.get("type")
        if isinstance(types, list):
            return " or ".join(_A_TYPE.get(str(t), str(t)) for t in types)
        if types == "array" and isinstance(schema.get("items"), dict):
            items = self.resolve(schema["items"])
            if items.get("title"):
                noun = str(items["title"])
                return "a list of " + (noun[:-1] + "ies" if noun.endswith("y") else noun + "s")
            item_type = items.get("type")
            if isinstance(item_type, str):
                return "a list of " + _PLURAL.get(item_type, item_type)
        return _A_TYPE.get(types, "a valid value") if isinstance(types, str) else "a valid value"

    # --- validation ---------------------------------------------------------------------------

    def _key(self, instance: Any) -> str | None:
        try:
            text = json.dumps(instance, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return None
        from hf_publish import __version__

        return hashlib.sha256(f"{__version__}\0{self._digest}\0{text}".encode()).hexdigest()

    def _validate(self, instance: Any) -> list[SchemaError]:
        import jsonschema

        validator = jsonschema.Draft202012Validator(self.schema)
        out: list[SchemaError] = []
        for error in validator.iter_errors(instance):
            out.extend(self._word(error))
        # A value of the wrong type gets that one error, not also the rules about its contents.
        mistyped = {e.path for e in out if e.keyword == "type"}
        out = [e for e in out if e.keyword == "type" or e.path not in mistyped]
        out = _unique(out)
        return sorted(out, key=lambda e: (_order(instance, e.path), _RANK.get(e.keyword, len(_RANK))))

    def _word(self, error: Any) -> list[SchemaError]:
        """jsonschema's error as the check words it (one entry per missing or unknown key)."""
        keyword = str(error.validator)
        schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
        inst = error.instance
        path = tuple(error.absolute_path)
        if keyword == "anyOf":
            branches: dict[int, list[Any]] = {}
            for sub in error.context or ():
                branches.setdefault(sub.relative_schema_path[0], []).append(sub)
            fitting = [i for i, sub in enumerate(schema["anyOf"]) if _type_fits(inst, self.resolve(sub))]
            if len(fitting) == 1 and fitting[0] in branches:
                return [worded for sub in branches[fitting[0]] for worded in self._word(sub)]
            return [SchemaError(path, "anyOf", f"{show_value(inst)} is not {self.describe(schema)}", schema, inst)]
        if keyword == "required":
            return [
                SchemaError(path, "required", f"missing {key!r}", schema, key)
                for key in error.validator_value
                if isinstance(inst, dict) and key not in inst
            ]
        if keyword == "additionalProperties":
            known = schema.get("properties", {})
            return [
                SchemaError(path + (key,), "additionalProperties", f"unknown key {key!r}", schema, key)
                for key in (inst if isinstance(inst, dict) else ())
                if key not in known
            ]
        return [SchemaError(path, keyword, self._message(keyword, schema, inst, error.message), schema, inst)]

    def _message(self, keyword: str, schema: dict[str, Any], inst: Any, fallback: str) -> str:
        if keyword == "type":
            return f"{show_value(inst)} is not {self.describe(schema)}"
        if keyword == "enum":
            return f"{show_value(inst)} is not one of: " + ", ".join(map(str, schema["enum"]))
        if keyword == "const":
            return f"{show_value(inst)} must be {schema['const']!r}"
        if keyword == "minLength":
            return "is empty" if not inst else f"is shorter than {schema['minLength']} characters"
        if keyword == "maxLength":
            return f"is {len(inst)} characters; at most {schema['maxLength']} are allowed"
        if keyword == "pattern":
            title = schema.get("title")
            return (
                f"{show_value(inst)} is not {with_article(title)}"
                if title
                else f"{show_value(inst)} does not match {schema['pattern']}"
            )
        if keyword == "minimum":
            return f"{inst} is less than {schema['minimum']}"
        if keyword == "maximum":
            return f"{inst} is more than {schema['maximum']}"
        if keyword == "minItems":
            return "is empty" if not inst else f"needs at least {schema['minItems']} entries"
        if keyword == "maxItems":
            return f"has more than {schema['maxItems']} entries"
        return str(fallback)


# The order errors at one value are reported in.
_RANK = {
    k: i
    for i, k in enumerate(
        ("type", "enum", "const", "minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems",
         "required", "additionalProperties", "anyOf")
    )
}  # fmt: skip


def _unique(errors: list[SchemaError]) -> list[SchemaError]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for e in errors:
        key = (e.path, e.keyword, e.message)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _order(instance: Any, path: tuple[str | int, ...]) -> tuple[int, ...]:
    """Where `path` is in the metadata as written: errors come out in the card's order."""
    out = []
    node = instance
    for part in path:
        if isinstance(node, dict):
            keys = list(node)
            out.append(keys.index(part) if part in node else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            out.append(part)
            node = node[part] if part < len(node) else None
        else:
            out.append(0)
            node = None
    return tuple(out)


# --- the cache ------------------------------------------------------------------------------------


def cache_dir() -> Path:
    return Path(cache_home(CACHE_FOLDER))


def _read_cache(key: str, instance: Any) -> list[SchemaError] | None:
    if os.environ.get("HF_PUBLISH_NO_CACHE"):
        return None
    try:
        rows = json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
        return [
            SchemaError(tuple(r["path"]), r["keyword"], r["message"], r["schema"], _value(instance, r)) for r in rows
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(key: str, errors: list[SchemaError], instance: Any) -> None:
    if os.environ.get("HF_PUBLISH_NO_CACHE"):
        return
    rows = [
        {"path": list(e.path), "keyword": e.keyword, "message": e.message, "schema": e.schema,
         "key": e.instance if e.keyword in ("required", "additionalProperties") else None}
        for e in errors
    ]  # fmt: skip
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{key}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, folder / f"{key}.json")
    except (OSError, TypeError, ValueError):
        pass  # a read-only home only costs speed


def _value(instance: Any, row: dict[str, Any]) -> Any:
    if row["keyword"] in ("required", "additionalProperties"):
        return row["key"]
    node = instance
    for part in row["path"]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


# --- words ----------------------------------------------------------------------------------------

_A_TYPE = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value)",
    "array": "a list",
    "null": "empty (null)",
}
_PLURAL = {
    "string": "strings",
    "integer": "integers",
    "number": "numbers",
    "boolean": "booleans",
    "object": "mappings",
    "array": "lists",
}


def with_article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def a_type(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return with_article(type(value).__name__)


def show_value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return a_type(value) if not value else ("a mapping" if isinstance(value, dict) else "a list")
    if value is None:
        return "an empty value"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_type(value: Any, json_type: str) -> bool:
    if json_type == "string":
        return isinstance(value, str)
    if json_type == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
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


def _type_fits(inst: Any, schema: dict[str, Any]) -> bool:
    """Whether `inst` has a type `schema` is about (so that branch's errors are the relevant ones)."""
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return any(_is_type(inst, t) for t in types)
    if "enum" in schema:
        return any(type(inst) is type(v) for v in schema["enum"])
    return False
