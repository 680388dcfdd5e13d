"""hf-publish: policy as code for Hugging Face Hub organizations.

The package is imported by every pre-commit hook run, so this module stays tiny: the public names
below are imported on first use (the pattern of huggingface_hub's `__init__`), and heavy modules
(huggingface_hub, jsonschema) only where they are used.

    from hf_publish import load_policy, CheckContext, run_checks, publish
"""

from __future__ import annotations

__version__ = "0.1.0"

# submodule -> the public names it provides
_SUBMOD_ATTRS: dict[str, list[str]] = {
    "checks._inputs": ["CheckContext"],
    "checks.registry": ["CHECK_IDS", "CONTENT_CHECK_IDS", "run_checks"],
    "errors": ["ChecksFailed", "HfPublishError", "HubError", "PolicyError", "UsageError", "exit_code_for"],
    "findings": ["Finding"],
    "policy.load": ["find_policy_file", "load_policy", "parse_policy_text"],
    "policy.model": ["Policy", "RepoSpec"],
    "publishing.output": ["PublishReport", "PublishResult"],
    "publishing.run": ["publish"],
    "sandbox.api": ["Sandbox"],
}
_ATTR_TO_SUBMOD = {name: submodule for submodule, names in _SUBMOD_ATTRS.items() for name in names}

__all__ = [
    "CHECK_IDS",
    "CONTENT_CHECK_IDS",
    "CheckContext",
    "ChecksFailed",
    "Finding",
    "HfPublishError",
    "HubError",
    "Policy",
    "PolicyError",
    "PublishReport",
    "PublishResult",
    "RepoSpec",
    "Sandbox",
    "UsageError",
    "__version__",
    "exit_code_for",
    "find_policy_file",
    "load_policy",
    "parse_policy_text",
    "publish",
    "run_checks",
]


def __getattr__(name: str) -> object:
    submodule = _ATTR_TO_SUBMOD.get(name)
    if submodule is None:
        raise AttributeError(f"module 'hf_publish' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"hf_publish.{submodule}"), name)
    globals()[name] = value  # the next access skips __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from hf_publish.checks._inputs import CheckContext
    from hf_publish.checks.registry import CHECK_IDS, CONTENT_CHECK_IDS, run_checks
    from hf_publish.errors import ChecksFailed, HfPublishError, HubError, PolicyError, UsageError, exit_code_for
    from hf_publish.findings import Finding
    from hf_publish.policy.load import find_policy_file, load_policy, parse_policy_text
    from hf_publish.policy.model import Policy, RepoSpec
    from hf_publish.publishing.output import PublishReport, PublishResult
    from hf_publish.publishing.run import publish
    from hf_publish.sandbox.api import Sandbox
