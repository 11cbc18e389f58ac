"""The shape of the code: the README's map matches the tree, and the layering rules hold."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "bot")
MAX_MODULE_LINES = 420  # "about 400"
MAX_FUNCTION_LINES = 65  # "about 60"
_ENTRY = re.compile(r"^( *)([\w.-]+/|[\w.-]+\.(?:py|sql|md|toml|example))(?:\s|$)")


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _map() -> dict[Path, int]:
    """The paths the README's "How it works" names, each with its line in the map."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    named: dict[Path, int] = {}
    parents: list[tuple[int, Path]] = []  # (indent, folder)
    for number, line in enumerate(block.splitlines(), 1):
        match = _ENTRY.match(line)
        if not match:
            continue
        indent, name = len(match.group(1)), match.group(2)
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = (parents[-1][1] if parents else Path()) / name.rstrip("/")
        named[path] = number
        if name.endswith("/"):
            parents.append((indent, path))
    return named


def _is_trivial_init(path: Path) -> bool:
    """An `__init__.py` holding a docstring at most: the folder's line describes it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return path.name == "__init__.py" and all(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in tree.body
    )


def test_the_readme_map_names_every_module() -> None:
    """Every module of index/ and bot/ has its line in "How it works"."""
    named = _map()
    missing = [
        str(p.relative_to(ROOT))
        for p in _modules()
        if p.relative_to(ROOT) not in named and not _is_trivial_init(p)
    ]
    assert missing == []


def test_everything_the_readme_map_names_exists() -> None:
    """No line of the map describes a file or folder that is not there."""
    named = _map()
    assert len(named) > 20
    assert [str(p) for p in named if not (ROOT / p).exists()] == []


def _imports(path: Path) -> list[str]:
    """The modules `path` imports (absolute names), `TYPE_CHECKING` blocks included."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_library_never_imports_the_bot() -> None:
    """index/ knows nothing of Discord, the CLI or their settings."""
    offending = [
        f"{_module_name(p)} imports {name}"
        for p in (ROOT / "index").rglob("*.py")
        for name in _imports(p)
        if name == "bot" or name.startswith("bot.")
    ]
    assert offending == []


def test_the_bot_imports_the_library_only_through_its_public_names() -> None:
    """bot/ imports `index` itself (its `__all__`), never one of its modules."""
    offending = [
        f"{_module_name(p)} imports {name}"
        for p in (ROOT / "bot").rglob("*.py")
        for name in _imports(p)
        if name.startswith("index.")
    ]
    assert offending == []


def test_cogs_never_import_each_other() -> None:
    """Each extension stands alone; what they share lives outside bot/exts/."""
    offending = [
        f"{_module_name(p)} imports {name}"
        for p in (ROOT / "bot" / "exts").rglob("*.py")
        for name in _imports(p)
        if name.startswith("bot.exts")
    ]
    assert offending == []


def test_there_are_no_import_cycles() -> None:
    """The modules of index/ and bot/ import each other as a tree, never in a circle."""
    graph = {_module_name(p): set(_imports(p)) for p in _modules()}
    graph = {name: {d for d in deps if d in graph and d != name} for name, deps in graph.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    """No module over about 400 lines, no function over about 60."""
    source = path.read_text(encoding="utf-8")
    long_functions = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    assert long_functions == []


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """`.ci/run` runs the command the README gives for the whole test suite, no other."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("Run the whole test suite", 1)[1]
    command = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip("\n").splitlines()
    assert ci[-1] == command
