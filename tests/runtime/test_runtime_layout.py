"""The runtime's layout stays true: one package per capability, imports pointing one way.

- A package's pages and api (its HTTP faces) are imported by app.py only: another package
  uses a capability's service modules, never its pages or api.
- `web` and `storage` know no capability; nothing but the CLI imports `demo`.
- No import cycle between runtime modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FACES = ("pages", "api")
PLUMBING = ("web", "storage")
TOP_LEVEL_SHARED = ("bundle", "clock")  # modules at the top that every package may use


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path, path: Path) -> set[str]:
    """The modules of the tree under `root` that one file imports (anywhere in the file)."""
    known = {module_name(root, p) for p in root.rglob("*.py")}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            found.update(submodules or {node.module})
    return {name for name in found if name in known and name != root.name}


def package_of(root: Path, name: str) -> str | None:
    """The capability package a module belongs to; None for a top-level module."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and (root / parts[1]).is_dir() else None


def graph(root: Path) -> dict[str, set[str]]:
    return {module_name(root, p): imports_of(root, p) for p in sorted(root.rglob("*.py"))}


def wrong_arrows(root: Path) -> list[str]:
    """Every import that breaks the layout, as 'importer -> imported: why'."""
    top = root.name
    wrong = []
    for importer, targets in graph(root).items():
        package = package_of(root, importer)  # None: a top-level module (app, __main__, …)
        for target in sorted(targets):
            tparts = target.split(".")
            tpackage = package_of(root, target)
            face = len(tparts) == 3 and tparts[2] in FACES
            if face and tpackage != package and importer != f"{top}.app":
                wrong.append(f"{importer} -> {target}: another package's {tparts[2]} (use its service modules)")
            if package in PLUMBING and tpackage not in (*PLUMBING, None):
                wrong.append(f"{importer} -> {target}: {package} knows no capability")
            if package in PLUMBING and tpackage is None and tparts[1] not in TOP_LEVEL_SHARED:
                wrong.append(f"{importer} -> {target}: {package} knows no capability")
            if tpackage == "demo" and package != "demo" and importer != f"{top}.__main__":
                wrong.append(f"{importer} -> {target}: demo data is for the CLI only")
    return wrong


def cycles(root: Path) -> list[list[str]]:
    """Import cycles between modules (Tarjan's strongly connected components of size > 1)."""
    edges = graph(root)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in edges:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root / "pkg"


FAKE = {
    "pkg/__init__.py": "",
    "pkg/app.py": "from pkg.a import pages\nfrom pkg.b import api\n",
    "pkg/a/__init__.py": "",
    "pkg/a/service.py": "",
    "pkg/a/pages.py": "from pkg.a import service\nfrom pkg.b import service as b_service\n",
    "pkg/b/__init__.py": "",
    "pkg/b/service.py": "from pkg.a.service import *\n",
    "pkg/b/api.py": "from pkg.b import service\n",
    "pkg/web/__init__.py": "",
    "pkg/web/http.py": "from pkg import bundle\n",
    "pkg/bundle.py": "",
}


def test_the_runtime_imports_point_one_way() -> None:
    assert wrong_arrows(ROOT / "runtime") == []


def test_the_runtime_has_no_import_cycle() -> None:
    assert cycles(ROOT / "runtime") == []


def test_a_tree_that_keeps_the_rules_passes(tmp_path: Path) -> None:
    root = write_tree(tmp_path, FAKE)
    assert wrong_arrows(root) == []
    assert cycles(root) == []


def test_a_page_module_importing_another_packages_page_module_fails(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**FAKE, "pkg/b/pages.py": "", "pkg/a/pages.py": "from pkg.b import pages\n"})
    assert wrong_arrows(root) == ["pkg.a.pages -> pkg.b.pages: another package's pages (use its service modules)"]


def test_a_service_module_importing_another_packages_api_fails(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**FAKE, "pkg/a/service.py": "def f():\n    from pkg.b.api import x\n"})
    assert wrong_arrows(root) == ["pkg.a.service -> pkg.b.api: another package's api (use its service modules)"]


def test_web_importing_a_capability_fails(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**FAKE, "pkg/web/http.py": "from pkg.a import service\n"})
    assert wrong_arrows(root) == ["pkg.web.http -> pkg.a.service: web knows no capability"]


def test_two_modules_importing_each_other_are_a_cycle(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**FAKE, "pkg/a/service.py": "import pkg.b.service\n"})
    assert cycles(root) == [["pkg.a.service", "pkg.b.service"]]
