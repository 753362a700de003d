"""The package's shape: the model never imports the UI, and no import cycle is hidden.

An import written inside a function can hold a cycle apart at import time while leaving two
modules that cannot be read, tested or moved without each other. These tests read the source
(no module is imported) and fail on either.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for folder in ("sim", "dashboard") for p in (ROOT / folder).rglob("*.py")}


def _imported(nodes: list[ast.stmt]) -> set[str]:
    """The project's modules these statements import (``from a import b`` names a or a.b)."""
    found = set()
    for node in (n for stmt in nodes for n in ast.walk(stmt)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found & MODULES.keys()


def _at_import_time(tree: ast.Module) -> set[str]:
    """What a module imports when it is imported: top-level statements, less the blocks kept
    for type checkers and the bodies of functions and classes' methods."""
    def running(stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in stmts:
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(s, ast.If) and "TYPE_CHECKING" in ast.unparse(s.test):
                out += running(s.orelse)
            elif isinstance(s, (ast.ClassDef, ast.If, ast.Try, ast.With)):
                out += running([c for c in ast.iter_child_nodes(s) if isinstance(c, ast.stmt)])
            else:
                out.append(s)
        return out
    return _imported(running(tree.body))


TREES = {m: ast.parse(p.read_text(encoding="utf-8")) for m, p in MODULES.items()}
AT_IMPORT = {m: _at_import_time(t) for m, t in TREES.items()}


def _reaches(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in AT_IMPORT.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_import_cycle_is_held_apart_by_an_import_inside_a_function():
    held_apart = []
    for module, tree in TREES.items():
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for target in _imported([s for f in functions for s in f.body]):
            if module in _reaches(target):
                held_apart.append(f"{module} -> {target}")
    assert not held_apart, held_apart


def test_the_model_never_imports_the_ui():
    model = [m for m in MODULES if m.startswith("sim")]
    ui = [f"{m} -> {t}" for m in model
          for t in _imported(TREES[m].body) if t.startswith("dashboard")]
    assert not ui, ui
    assert not any("streamlit" in ast.unparse(n) for m in model for n in ast.walk(TREES[m])
                   if isinstance(n, (ast.Import, ast.ImportFrom))), "sim imports streamlit"


def test_the_detector_finds_a_cycle_it_is_shown():
    # The check above must be able to fail: a store that imported the batch code inside a
    # method, while the batch code imports the store, is exactly what it looks for.
    assert "sim.store" in _reaches("sim.batch")
    assert "sim.batch" not in _reaches("sim.store")
