"""The package's boundaries, as code: every module's imports are parsed (ast) and held to the rules.

- a layering order, lowest first: the shared base modules, policy/, cards/, checks/, publishing/, org/,
  action/, cli/; a module imports only from its own layer or below, and the module graph has no
  cycle (top-level and function-level imports alike);
- checks/, cards/ and policy/ never import publishing/, action/ or cli/ (the order implies it; it is
  asserted on its own so that the message says which rule broke);
- nothing but `_git.py` runs git (no subprocess call whose command starts with "git");
- nothing but `publishing/hub.py` imports HfApi or another huggingface_hub name that calls the Hub,
  or reaches into the client another way (`hub.api`, `hub._call`, `api.<method>()`);
- `sandbox/` (the test double) imports no hf_publish module outside itself.

Every violation is reported as `file:line: what`, and a planted violation of each rule fails.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hf_publish"

# Lowest first. A module's layer is its concern folder, or "base" for the shared top-level modules.
LAYERS = ("base", "policy", "cards", "checks", "publishing", "org", "action", "cli")
PURE_CONCERNS = ("policy", "cards", "checks")
NEVER_FROM_PURE = ("publishing", "action", "cli")
GIT_MODULE = "hf_publish._git"
HUB_MODULE = "hf_publish.publishing.hub"
# huggingface_hub names that talk to the Hub (or hand out something that does).
HUB_CALLERS = frozenset(
    {
        "HfApi",
        "oidc_login",
        "_oidc",
        "hf_hub_download",
        "snapshot_download",
        "upload_file",
        "upload_folder",
        "create_commit",
        "create_repo",
        "whoami",
        "get_model_tags",
        "ModelCard",
        "DatasetCard",
        "SpaceCard",
        "InferenceClient",
        "set_client_factory",
    }
)
SUBPROCESS_CALLS = frozenset({"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput"})


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module (or module.name for `from x import name`), dotted
    names: tuple[str, ...]
    path: Path
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def imports_of(path: Path, root: Path) -> list[Import]:
    source = module_name(path, root)
    if source == "hf_publish":
        return []  # the public facade: it names every layer's API (lazily), and no layer imports it for that
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [Import(source, alias.name, (), path, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            out.append(Import(source, base, tuple(alias.name for alias in node.names), path, node.lineno))
    return out


def internal_targets(imp: Import, known: dict[str, Path]) -> list[str]:
    """The hf_publish modules an import loads: `from hf_publish.cards import vocab` loads
    hf_publish.cards.vocab (and the package)."""
    if not imp.target.startswith("hf_publish"):
        return []
    out = [imp.target] if imp.target in known else []
    out += [f"{imp.target}.{name}" for name in imp.names if f"{imp.target}.{name}" in known]
    return out or [imp.target]


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS[1:]:
        return parts[1]
    if len(parts) >= 2 and parts[1] == "sandbox":
        return "sandbox"
    if len(parts) >= 2 and parts[1] == "__main__":
        return "cli"
    return "base"


def where(root: Path, imp_path: Path, line: int) -> str:
    return f"{imp_path.relative_to(root.parent).as_posix()}:{line}"


def layering_violations(root: Path) -> list[str]:
    known = modules(root)
    problems = []
    for name, path in known.items():
        mine = layer_of(name)
        if mine == "sandbox":
            continue
        for imp in imports_of(path, root):
            for target in internal_targets(imp, known):
                theirs = layer_of(target)
                if theirs == "sandbox":
                    if not (mine == "cli" or name.endswith(".pytest_plugin")):
                        problems.append(
                            f"{where(root, path, imp.line)}: {mine} module {name} imports the sandbox "
                            f"({target}); only the CLI starts it"
                        )
                    continue
                if mine in PURE_CONCERNS and theirs in NEVER_FROM_PURE:
                    problems.append(
                        f"{where(root, path, imp.line)}: {name} imports {target}: {mine}/ never imports "
                        f"{theirs}/ (checks, cards and policy stay pure)"
                    )
                elif LAYERS.index(theirs) > LAYERS.index(mine):
                    problems.append(
                        f"{where(root, path, imp.line)}: {name} ({mine}) imports {target} ({theirs}), a "
                        f"higher layer (order: {' < '.join(LAYERS)})"
                    )
    return problems


def cycles(root: Path) -> list[str]:
    """Import cycles between the tool's modules (every import, also those inside functions), each as a
    chain. The sandbox is a separate package (it imports nothing of the tool) and is left out."""
    known = {name: path for name, path in modules(root).items() if layer_of(name) != "sandbox"}
    graph: dict[str, set[str]] = {name: set() for name in known}
    lines: dict[tuple[str, str], str] = {}
    for name, path in known.items():
        for imp in imports_of(path, root):
            for target in internal_targets(imp, known):
                # `hf_publish` itself (the version) and a package's own __init__ are not edges.
                if target in known and target != name and not name.startswith(target + ".") and target != "hf_publish":
                    graph[name].add(target)
                    lines.setdefault((name, target), where(root, path, imp.line))
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                chain = stack[stack.index(nxt) :] + [nxt]
                found.append(" -> ".join(f"{a} ({lines[(a, b)]})" for a, b in zip(chain, chain[1:])))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def git_runners(root: Path) -> list[str]:
    """Subprocess calls whose command starts with "git", outside `_git.py` (and the sandbox's own
    process handling, which never runs git either: it is checked too)."""
    problems = []
    for name, path in modules(root).items():
        if name == GIT_MODULE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called not in SUBPROCESS_CALLS and called not in ("system", "popen", "execvp", "execv", "spawnvp"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, (ast.List, ast.Tuple)) and first.elts:
                first = first.elts[0]
            if (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and first.value.split()[:1] in (["git"], ["git-lfs"])
            ):
                problems.append(
                    f"{where(root, path, node.lineno)}: {name} runs git ({called}): only {GIT_MODULE} runs git"
                )
    return problems


def hub_callers(root: Path) -> list[str]:
    problems = []
    for name, path in modules(root).items():
        if name == HUB_MODULE or layer_of(name) == "sandbox":
            continue
        for imp in imports_of(path, root):
            if not imp.target.startswith("huggingface_hub"):
                continue
            parts = set(imp.target.split(".")[1:]) | set(imp.names)
            calling = sorted(parts & HUB_CALLERS)
            if calling:
                problems.append(
                    f"{where(root, path, imp.line)}: {name} imports {', '.join(calling)} from "
                    f"{imp.target}: only {HUB_MODULE} calls the Hub"
                )
    return problems


def client_reach_ins(root: Path) -> list[str]:
    """Outside publishing/hub.py nothing reaches into the client through the Hub wrapper: no
    `hub.api` (the HfApi it holds), no `hub._call`, no method called on a variable named `api`."""
    problems = []
    for name, path in modules(root).items():
        if name == HUB_MODULE or layer_of(name) == "sandbox":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in ("api", "_call"):
                problems.append(
                    f"{where(root, path, node.lineno)}: {name} reads .{node.attr}: only {HUB_MODULE} "
                    "talks to the client (add a Hub method)"
                )
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "api"
            ):
                problems.append(
                    f"{where(root, path, node.lineno)}: {name} calls api.{node.func.attr}(): only "
                    f"{HUB_MODULE} talks to the client (add a Hub method)"
                )
    return problems


def sandbox_leaks(root: Path) -> list[str]:
    problems = []
    for name, path in modules(root).items():
        if layer_of(name) != "sandbox":
            continue
        for imp in imports_of(path, root):
            for target in internal_targets(imp, modules(root)):
                if target != "hf_publish.sandbox" and not target.startswith("hf_publish.sandbox."):
                    problems.append(
                        f"{where(root, path, imp.line)}: the sandbox module {name} imports {target}: "
                        "the sandbox imports nothing from the tool"
                    )
    return problems


def all_violations(root: Path) -> list[str]:
    return (
        layering_violations(root)
        + cycles(root)
        + git_runners(root)
        + hub_callers(root)
        + client_reach_ins(root)
        + sandbox_leaks(root)
    )


# --- the rules hold for the package ----------------------------------------------------------


def test_layers_only_import_downwards():
    assert layering_violations(PACKAGE) == []


def test_the_module_graph_has_no_cycle():
    assert cycles(PACKAGE) == []


def test_only_the_git_module_runs_git():
    assert git_runners(PACKAGE) == []


def test_only_publishing_hub_calls_the_hub():
    assert hub_callers(PACKAGE) == []
    assert client_reach_ins(PACKAGE) == []


def test_the_sandbox_imports_nothing_from_the_tool():
    assert sandbox_leaks(PACKAGE) == []


def test_every_concern_has_its_folder():
    for concern in LAYERS[1:] + ("sandbox",):
        assert (PACKAGE / concern / "__init__.py").is_file(), concern
    assert (PACKAGE / "_git.py").is_file() and (PACKAGE / "errors.py").is_file()


# --- and the checker catches what it must -------------------------------------------------------


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "hf_publish"
    for rel, text in {
        "__init__.py": "",
        "_git.py": "import subprocess\nsubprocess.run(['git', 'status'])\n",
        **{f"{c}/__init__.py": "" for c in LAYERS[1:] + ("sandbox",)},
        **files,
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_planted_violations_are_reported_at_their_file_and_line(tmp_path):
    root = _plant(
        tmp_path,
        {
            "checks/lfs.py": "import os\n\ndef run():\n    from hf_publish.publishing import hub\n",
            "policy/load.py": "from hf_publish.cli.main import main\n",
            "cards/parse.py": "import subprocess\n\nsubprocess.run(['git', 'cat-file', '--batch'])\n",
            "action/runner.py": "from huggingface_hub import HfApi\n",
            "cli/main.py": "def f():\n    from huggingface_hub._oidc import oidc_login\n",
            "sandbox/server.py": "\nfrom hf_publish.errors import HubError\n",
            "errors.py": "",
            "publishing/hub.py": "from huggingface_hub import HfApi\nfrom hf_publish.publishing.run import publish\n",
            "publishing/run.py": "from hf_publish.publishing.hub import HfApi\n",
            "report.py": "from hf_publish.action import runner\n",
            "org/access.py": "def grant(hub):\n    hub.api.grant_access('a/b', 'u')\n",
            "org/fetch.py": "def grant(api):\n\n    return api.list_models()\n",
        },
    )
    found = all_violations(root)
    expected = [
        "hf_publish/checks/lfs.py:4: hf_publish.checks.lfs imports hf_publish.publishing.hub",
        "hf_publish/policy/load.py:1: hf_publish.policy.load imports hf_publish.cli.main",
        "hf_publish/cards/parse.py:3: hf_publish.cards.parse runs git",
        "hf_publish/action/runner.py:1: hf_publish.action.runner imports HfApi",
        "hf_publish/cli/main.py:2: hf_publish.cli.main imports _oidc, oidc_login",
        "hf_publish/sandbox/server.py:2: the sandbox module hf_publish.sandbox.server imports hf_publish.errors",
        "hf_publish/report.py:1: hf_publish.report (base) imports hf_publish.action.runner (action), a higher layer",
        "hf_publish/org/access.py:2: hf_publish.org.access reads .api",
        "hf_publish/org/fetch.py:3: hf_publish.org.fetch calls api.list_models()",
    ]
    for prefix in expected:
        assert any(line.startswith(prefix) for line in found), (prefix, found)
    (cycle,) = [line for line in found if " -> " in line]
    assert "hf_publish.publishing.hub (hf_publish/publishing/hub.py:2)" in cycle
    assert "hf_publish.publishing.run (hf_publish/publishing/run.py:1)" in cycle
    assert not any("_git.py" in line for line in found)  # the one module allowed to run git


def test_a_clean_planted_tree_passes(tmp_path):
    root = _plant(
        tmp_path,
        {
            "checks/lfs.py": "from hf_publish import _git\nfrom hf_publish.policy import model\n",
            "publishing/hub.py": "def api():\n    from huggingface_hub import HfApi\n",
            "publishing/run.py": "from hf_publish.checks import lfs\nfrom hf_publish.publishing import hub\n",
            "cli/main.py": "from hf_publish.sandbox import server\n",
            "sandbox/server.py": "from hf_publish.sandbox import store\n",
            "sandbox/store.py": "",
        },
    )
    assert all_violations(root) == []
