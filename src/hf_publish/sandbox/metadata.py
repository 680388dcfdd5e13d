"""The Hub's card metadata validation as the sandbox applies it (validate-yaml and push time),
and the files a new Space starts with.

Messages follow the Hub's (a Joi schema): ``"license" must be one of [...]``, ``"model-index"
must be an array``, ``"model-index[0].results[0].dataset.config" must be a string``. validate-yaml
answers JSON ``{"errors": [{"message"}], "warnings": [{"message"}]}``, or, when asked for
``text/plain`` (``RepoCard.validate``), the lines ``- Error: <message>`` / ``- Warning: <message>``.
A card without metadata is accepted with a warning.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

# The Hub's order, as its error message lists them (huggingface_hub issue #4218 quotes it in full).
LICENSE_LIST = (
    "apache-2.0",
    "mit",
    "openrail",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "c-uda",
    "cc",
    "cc0-1.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "cdla-permissive-2.0",
    "wtfpl",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "etalab-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "agpl-3.0",
    "gfdl",
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "isc",
    "h-research",
    "intel-research",
    "lppl-1.3c",
    "ms-pl",
    "apple-ascl",
    "apple-amlr",
    "mpl-2.0",
    "odc-by",
    "odbl",
    "openmdw-1.0",
    "openmdw-1.1",
    "openrail++",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "unlicense",
    "zlib",
    "pddl",
    "lgpl-lr",
    "deepfloyd-if-license",
    "fair-noncommercial-research-license",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "grok2-community",
    "gemma",
    "unknown",
    "other",
)
LICENSES = frozenset(LICENSE_LIST)
PIPELINE_TAGS = (
    "text-classification",
    "token-classification",
    "table-question-answering",
    "question-answering",
    "zero-shot-classification",
    "translation",
    "summarization",
    "feature-extraction",
    "text-generation",
    "text2text-generation",
    "fill-mask",
    "sentence-similarity",
    "text-to-speech",
    "text-to-audio",
    "automatic-speech-recognition",
    "audio-to-audio",
    "audio-classification",
    "audio-text-to-text",
    "voice-activity-detection",
    "depth-estimation",
    "image-classification",
    "object-detection",
    "image-segmentation",
    "text-to-image",
    "image-to-text",
    "image-to-image",
    "image-to-video",
    "unconditional-image-generation",
    "video-classification",
    "reinforcement-learning",
    "robotics",
    "tabular-classification",
    "tabular-regression",
    "tabular-to-text",
    "table-to-text",
    "multiple-choice",
    "text-ranking",
    "text-retrieval",
    "time-series-forecasting",
    "text-to-video",
    "image-text-to-text",
    "visual-question-answering",
    "document-question-answering",
    "zero-shot-image-classification",
    "graph-ml",
    "mask-generation",
    "zero-shot-object-detection",
    "text-to-3d",
    "image-to-3d",
    "image-feature-extraction",
    "video-text-to-text",
    "keypoint-detection",
    "visual-document-retrieval",
    "any-to-any",
    "biology",
    "other",
)
BASE_MODEL_RELATIONS = ("adapter", "merge", "quantized", "finetune")
SPACE_SDKS = ("gradio", "docker", "static", "streamlit")  # streamlit: existing Spaces only (not offered for new ones)
SPACE_COLORS = ("red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray")
SHORT_DESCRIPTION_MAX = 60
_DOCS = {
    "model": "https://huggingface.co/docs/hub/model-cards#model-card-metadata",
    "dataset": "https://huggingface.co/docs/hub/datasets-cards",
    "space": "https://huggingface.co/docs/hub/spaces-config-reference",
}
# As huggingface_hub finds a card's metadata block (repocard.REGEX_YAML_BLOCK).
_YAML_BLOCK = re.compile(r"^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))")


@dataclass
class Findings:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The plain-text answer: one ``- Error:`` / ``- Warning:`` line each."""
        return "\n".join([f"- Error: {e}" for e in self.errors] + [f"- Warning: {w}" for w in self.warnings])


def front_matter(content: str) -> str | None:
    m = _YAML_BLOCK.search(content)
    return m.group(2) if m else None


def _one_of(values: tuple[str, ...], *extra: str) -> str:
    return "must be one of [" + ", ".join(values + extra) + "]"


class _Checker:
    """Joi-like checks that report every problem with its path (``a[0].b``)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f'"{path}" {message}')

    def string(self, value: Any, path: str) -> bool:
        if not isinstance(value, str):
            self.fail(path, "must be a string")
            return False
        return True

    def strings(self, value: Any, path: str) -> None:
        """A string or an array of strings (tags, datasets, language, base_model...)."""
        if isinstance(value, str):
            return
        if not isinstance(value, list):
            self.fail(path, "must be one of [string, array]")
            return
        for i, item in enumerate(value):
            self.string(item, f"{path}[{i}]")

    def mapping(self, value: Any, path: str) -> bool:
        if not isinstance(value, dict):
            self.fail(path, "must be of type object")
            return False
        return True

    def required(self, obj: dict[str, Any], key: str, path: str) -> Any:
        if key not in obj or obj[key] is None:
            self.fail(f"{path}.{key}", "is required")
            return None
        return obj[key]

    def required_string(self, obj: dict[str, Any], key: str, path: str) -> None:
        value = self.required(obj, key, path)
        if value is not None:
            self.string(value, f"{path}.{key}")

    def required_array(self, obj: dict[str, Any], key: str, path: str) -> list[Any] | None:
        value = self.required(obj, key, path)
        if value is not None and not isinstance(value, list):
            self.fail(f"{path}.{key}", "must be an array")
            return None
        return value

    def required_mapping(self, obj: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
        value = self.required(obj, key, path)
        return value if value is not None and self.mapping(value, f"{path}.{key}") else None

    def optional_strings(self, obj: dict[str, Any], keys: tuple[str, ...], path: str) -> None:
        for key in keys:
            if obj.get(key) is not None:
                self.string(obj[key], f"{path}.{key}")


def _check_license(c: _Checker, value: Any) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, str) or item not in LICENSES:
                c.fail(f"license[{i}]", _one_of(LICENSE_LIST))
    elif not isinstance(value, str) or value not in LICENSES:
        c.fail("license", _one_of(LICENSE_LIST, "array"))


def _check_model_index(c: _Checker, value: Any) -> None:
    if not isinstance(value, list):
        c.fail("model-index", "must be an array")
        return
    for i, model in enumerate(value):
        path = f"model-index[{i}]"
        if not c.mapping(model, path):
            continue
        c.required_string(model, "name", path)
        for j, result in enumerate(c.required_array(model, "results", path) or []):
            rpath = f"{path}.results[{j}]"
            if not c.mapping(result, rpath):
                continue
            if (task := c.required_mapping(result, "task", rpath)) is not None:
                c.required_string(task, "type", f"{rpath}.task")
                c.optional_strings(task, ("name",), f"{rpath}.task")
            if (dataset := c.required_mapping(result, "dataset", rpath)) is not None:
                for key in ("type", "name"):
                    c.required_string(dataset, key, f"{rpath}.dataset")
                c.optional_strings(dataset, ("config", "split", "revision"), f"{rpath}.dataset")
            for k, metric in enumerate(c.required_array(result, "metrics", rpath) or []):
                mpath = f"{rpath}.metrics[{k}]"
                if not c.mapping(metric, mpath):
                    continue
                c.required_string(metric, "type", mpath)
                c.required(metric, "value", mpath)
                c.optional_strings(metric, ("name", "config"), mpath)
                if metric.get("verified") is not None and not isinstance(metric["verified"], bool):
                    c.fail(f"{mpath}.verified", "must be a boolean")


def _check_space(c: _Checker, meta: dict[str, Any]) -> None:
    if "sdk" in meta and meta["sdk"] not in SPACE_SDKS:
        c.fail("sdk", _one_of(SPACE_SDKS))
    for key in ("colorFrom", "colorTo"):
        if key in meta and meta[key] not in SPACE_COLORS:
            c.fail(key, _one_of(SPACE_COLORS))
    for key in ("title", "emoji", "sdk_version", "app_file"):
        if meta.get(key) is not None:
            c.string(meta[key], key)
    if "pinned" in meta and not isinstance(meta["pinned"], bool):
        c.fail("pinned", "must be a boolean")
    if "app_port" in meta and (isinstance(meta["app_port"], bool) or not isinstance(meta["app_port"], int)):
        c.fail("app_port", "must be a number")
    short = meta.get("short_description")
    if short is not None and c.string(short, "short_description") and len(short) > SHORT_DESCRIPTION_MAX:
        c.fail("short_description", f"length must be less than or equal to {SHORT_DESCRIPTION_MAX} characters long")


def validate_card(content: str, repo_type: str) -> Findings:
    """The Hub's findings for a README: errors refuse it, warnings do not."""
    import yaml

    out = Findings()
    block = front_matter(content)
    missing = f"empty or missing yaml metadata in repo card ({_DOCS.get(repo_type, _DOCS['model'])})"
    if block is None:
        out.warnings.append(missing)
        return out
    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""  # +1 for 1-based, +1 for the opening ---
        out.errors.append(f"YAML metadata is invalid: {getattr(exc, 'problem', None) or exc}{where}")
        return out
    except RecursionError:  # thousands of nested [ or {: refuse, as the Hub does, instead of a 500
        out.errors.append("YAML metadata is invalid: nested too deep")
        return out
    if meta is None:
        out.warnings.append(missing)
        return out
    c = _Checker()
    if not isinstance(meta, dict):
        c.fail("value", "must be of type object")
        out.errors = c.errors
        return out
    if "license" in meta and meta["license"] is not None:
        _check_license(c, meta["license"])
    if meta.get("license") == "other" and not (meta.get("license_name") and meta.get("license_link")):
        out.warnings.append('"license_name" and "license_link" should be set when "license" is "other"')
    for key in ("tags", "datasets", "language", "metrics", "base_model"):
        if meta.get(key) is not None:
            c.strings(meta[key], key)
    if meta.get("library_name") is not None:
        c.string(meta["library_name"], "library_name")
    if repo_type == "model":
        if "model-index" in meta:
            _check_model_index(c, meta["model-index"])
        if meta.get("pipeline_tag") is not None and meta["pipeline_tag"] not in PIPELINE_TAGS:
            c.fail("pipeline_tag", _one_of(PIPELINE_TAGS))
        if meta.get("base_model_relation") is not None and meta["base_model_relation"] not in BASE_MODEL_RELATIONS:
            c.fail("base_model_relation", _one_of(BASE_MODEL_RELATIONS))
    if repo_type == "space":
        _check_space(c, meta)
    out.errors = c.errors
    return out


# -- a new Space ------------------------------------------------------------------------------
SDK_VERSIONS = {"gradio": "5.49.1", "streamlit": "1.50.0"}  # the sandbox's stand-ins for "latest"
_EMOJIS = [
    "🏢",
    "🚀",
    "🔥",
    "🌍",
    "📊",
    "💻",
    "🐨",
    "🦀",
    "🐠",
    "⚡",
    "🌖",
    "🏆",
    "📉",
    "📚",
    "👀",
    "🐢",
    "🏃",
    "🎨",
    "🦊",
    "🐳",
]
_STATIC_INDEX = """<!doctype html>
<html>
	<head>
		<meta charset="utf-8" />
		<meta name="viewport" content="width=device-width" />
		<title>My static Space</title>
		<link rel="stylesheet" href="style.css" />
	</head>
	<body>
		<div class="card">
			<h1>Welcome to your static Space!</h1>
			<p>You can modify this app directly by editing <i>index.html</i> in the Files and versions tab.</p>
			<p>
				Also don't forget to check the
				<a href="https://huggingface.co/docs/hub/spaces" target="_blank">Spaces documentation</a>.
			</p>
		</div>
	</body>
</html>
"""
_STATIC_CSS = """body {
	padding: 2rem;
	font-family: -apple-system, BlinkMacSystemFont, "Arial", sans-serif;
}

h1 {
	font-size: 16px;
	margin-top: 0;
}

p {
	color: rgb(107, 114, 128);
	font-size: 15px;
	margin-bottom: 10px;
	margin-top: 5px;
}

.card {
	max-width: 620px;
	margin: 0 auto;
	padding: 16px;
	border: 1px solid lightgray;
	border-radius: 16px;
}

.card p:last-child {
	margin-bottom: 0;
}
"""


def new_space_files(name: str, sdk: str) -> dict[str, bytes]:
    """What the Hub puts in a new Space's initial commit besides .gitattributes.

    README.md with the Space's configuration front matter (title from the name, an emoji and two
    colors picked from the name, the sdk, its version and app file where the sdk has them,
    ``pinned: false``); a static Space also gets its index.html and style.css.
    """
    digest = hashlib.sha256(name.encode()).digest()
    title = " ".join(word.capitalize() for word in re.split(r"[-_]+", name) if word) or name
    lines = [
        f"title: {title}",
        f"emoji: {_EMOJIS[digest[0] % len(_EMOJIS)]}",
        f"colorFrom: {SPACE_COLORS[digest[1] % len(SPACE_COLORS)]}",
        f"colorTo: {SPACE_COLORS[digest[2] % len(SPACE_COLORS)]}",
        f"sdk: {sdk}",
    ]
    if sdk in SDK_VERSIONS:
        lines += [f"sdk_version: {SDK_VERSIONS[sdk]}", "app_file: app.py"]
    lines.append("pinned: false")
    readme = (
        "---\n" + "\n".join(lines) + "\n---\n\nCheck out the configuration reference at "
        "https://huggingface.co/docs/hub/spaces-config-reference\n"
    )
    files = {"README.md": readme.encode()}
    if sdk == "static":
        files.update({"index.html": _STATIC_INDEX.encode(), "style.css": _STATIC_CSS.encode()})
    return files
