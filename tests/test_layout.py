"""The package's shape: no import cycle, and no import that runs back up the stages.

Read from the source with `ast` (imports inside functions count too), so a cycle hidden by a
late import is still one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

SERVICE = Path(__file__).resolve().parent.parent / "service"
# Each layer may import only from layers listed before it (and from itself).
LAYERS = (("errors", "types", "settings", "schemas"), ("runtime",), ("read",), ("values",), ("group",),
          ("brief",), ("pipeline", "response"), ("desk",), ("batch",), ("http", "cli", "__main__"))


def module_name(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports."""
    modules = {module_name(p): p for p in SERVICE.rglob("*.py") if "migrations" not in p.parts}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                base = base[:len(base) - node.level + 1] if node.level else []
                source = ".".join([*base, *(node.module.split(".") if node.module else [])])
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    targets.add(full if full in modules else source)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        found[name] = {t for t in targets if t in modules and t != name}
    return found


def layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    return next(n for n, names in enumerate(LAYERS) if top in names)


def test_no_import_cycle() -> None:
    graph = imports()
    names = sorted(graph)
    index = {n: k for k, n in enumerate(names)}
    rows = [index[a] for a in names for b in graph[a]]
    cols = [index[b] for a in names for b in graph[a]]
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(names), len(names)))
    count, labels = connected_components(matrix, directed=True, connection="strong")
    cycles = [sorted(n for n in names if labels[index[n]] == c) for c in range(count)]
    assert [c for c in cycles if len(c) > 1] == []


def test_no_import_runs_back_up_the_stages() -> None:
    upward = sorted((a, b) for a, targets in imports().items() for b in targets
                    if a != "service" and b != "service" and layer(b) > layer(a))
    assert upward == []
