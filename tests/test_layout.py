"""The package layout: no module of ``consult`` imports another that imports it back, at any depth, whether
the import stands at the top of the file or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "consult"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def known_modules() -> dict[str, Path]:
    return {module_name(path): path for path in ROOT.rglob("*.py")}


def imported(node: ast.AST, modules: dict[str, Path]) -> set[str]:
    """The consult modules an import statement loads (a name imported from a package may be a module)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if not isinstance(node, ast.ImportFrom) or node.level or not (node.module or "").startswith("consult"):
        return set()
    found = set()
    for alias in node.names:
        candidate = f"{node.module}.{alias.name}"
        found.add(candidate if candidate in modules else node.module)
    return found & set(modules)


def import_graph() -> dict[str, set[str]]:
    modules = known_modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set().union(*(imported(node, modules) for node in ast.walk(tree)))
        graph[name] = targets - {name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_module_of_consult_imports_one_that_imports_it_back():
    assert circles(import_graph()) == []


def test_the_checker_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_imports_inside_functions_count(tmp_path):
    modules = {"consult.x": tmp_path, "consult.y": tmp_path}
    tree = ast.parse("def f():\n    from consult import y\n")
    found = set().union(*(imported(node, modules) for node in ast.walk(tree)))
    assert found == {"consult.y"}


def test_the_survey_packages_are_laid_out_as_the_readme_says():
    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    for package in ("questionnaires", "campaigns", "invitations", "responses", "respond"):
        assert (ROOT / "surveys" / package / "__init__.py").exists()
        assert f"{package}/" in readme
