"""The house rules, checked on the code itself (its imports, read as syntax trees): no import cycle
between project modules, nothing below imports upward (web → search_api → indexer), small modules."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("indexer", "search_api", "web", "morgue")
MAX_LINES = 300


def modules() -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts): p
            for package in PACKAGES for p in (ROOT / package).glob("*.py")}


def imports(path: Path, known: set[str]) -> set[str]:
    """Project modules a module imports at any depth of its code (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n for n in names if n in known}
    return found


def test_no_import_cycle():
    known = modules()
    graph = {name: imports(path, set(known)) - {name} for name, path in known.items()}
    seen, stack, cycles = set(), [], []

    def visit(name):
        if name in stack:
            cycles.append(stack[stack.index(name):] + [name])
            return
        if name in seen:
            return
        seen.add(name)
        stack.append(name)
        for other in graph[name]:
            visit(other)
        stack.pop()

    for name in graph:
        visit(name)
    assert not cycles, cycles


def test_nothing_imports_upward():
    known = modules()
    rank = {"indexer": 0, "search_api": 1, "web": 2, "morgue": 3}
    upward = [(name, other) for name, path in known.items() for other in imports(path, set(known))
              if rank[other.split(".")[0]] > rank[name.split(".")[0]]]
    assert not upward, upward


def test_modules_are_small():
    big = {name: n for name, path in modules().items()
           if name.split(".")[0] != "morgue" and (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not big, big
