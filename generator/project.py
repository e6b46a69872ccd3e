"""The loaded schemas/ tree: every file by kind, and the diagnostics so far."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import CATALOG, Diagnostic, Report, fill, pointer
from generator.loader import Document, LoadError, Path_, load_file

# Single files a deployment may leave out: the committee stage (COM, INT, STAT) and the
# working-day calendar overrides (PUB-3).
OPTIONAL_SINGLE_FILES = ("committee", "calendar")
SINGLE_FILES = ("platform", "messages", "faq", "notifications", "domain_rules")
# migrations/: how declarations of older policy versions move onto the current one (VER-3).
FOLDERS = ("dictionaries", "routing", "workflow", "print", "rules", "eligibility", "migrations")


@dataclass
class Project:
    root: Path
    report: Report = field(default_factory=Report)
    singles: dict[str, Document] = field(default_factory=dict)
    dictionaries: dict[str, Document] = field(default_factory=dict)
    forms: dict[str, Document] = field(default_factory=dict)
    sections: dict[str, dict[str, Document]] = field(default_factory=dict)
    routing: dict[str, Document] = field(default_factory=dict)
    workflow: dict[str, Document] = field(default_factory=dict)
    print: dict[str, Document] = field(default_factory=dict)
    rules: dict[str, Document] = field(default_factory=dict)
    eligibility: dict[str, Document] = field(default_factory=dict)
    migrations: dict[str, Document] = field(default_factory=dict)

    # -- access -------------------------------------------------------------
    def data(self, name: str) -> dict[str, Any]:
        doc = self.singles.get(name)
        return doc.data if doc is not None and isinstance(doc.data, dict) else {}

    def documents(self) -> Iterator[tuple[str, Document]]:
        """Every loaded document with its kind, in a stable order."""
        for name, doc in sorted(self.singles.items()):
            yield name, doc
        for kind in FOLDERS:
            for _, doc in sorted(getattr(self, kind).items()):
                yield kind, doc
        for form_id, doc in sorted(self.forms.items()):
            yield "form", doc
            for _, section in sorted(self.sections.get(form_id, {}).items()):
                yield "section", section
        for form_id, sections in sorted(self.sections.items()):
            if form_id not in self.forms:
                for _, section in sorted(sections.items()):
                    yield "section", section

    def dictionary_values(self, name: str) -> list[str]:
        doc = self.dictionaries.get(name)
        if doc is None or not isinstance(doc.data, dict):
            return []
        values = []
        for entry in doc.data.get("entries") or []:
            value = entry.get("value") if isinstance(entry, dict) else entry
            if value is not None:
                values.append(str(value))
        return values

    # -- diagnostics --------------------------------------------------------
    def diag(
        self,
        code: str,
        doc: Document,
        path: Path_,
        *,
        at_key: bool = False,
        suggestion: str | None = None,
        **values: Any,
    ) -> None:
        entry = CATALOG[code]
        mark = doc.mark(path, key=at_key)
        self.report.add(
            Diagnostic(
                code=code,
                file=doc.relpath,
                line=mark.line,
                column=mark.column,
                path=pointer(path),
                message=fill(entry.template, values),
                hint=fill(entry.hint, values),
                source=doc.source_line(mark.line),
                suggestion=suggestion,
            )
        )

    def diag_at(self, code: str, relpath: str, line: int, column: int, **values: Any) -> None:
        entry = CATALOG[code]
        self.report.add(
            Diagnostic(
                code=code,
                file=relpath,
                line=line,
                column=column,
                path="",
                message=fill(entry.template, values),
                hint=fill(entry.hint, values),
            )
        )


def load_project(root: Path) -> Project:
    """Read every YAML file under root; syntax errors become diagnostics."""
    project = Project(root=root)
    for path in sorted(root.rglob("*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        rel = path.relative_to(root)
        relpath = path.relative_to(root.parent).as_posix()
        if path.suffix not in (".yaml", ".yml"):
            project.diag_at("E105", relpath, 1, 1, file=rel.as_posix())
            continue
        try:
            doc = load_file(path, root)
        except LoadError as exc:
            code = "E102" if exc.kind == "duplicate-key" else "E101"
            project.diag_at(code, relpath, exc.mark.line, exc.mark.column, detail=exc.detail)
            project.report.items[-1] = _with_key(project.report.items[-1], exc, path)
            continue
        except UnicodeDecodeError as exc:
            project.diag_at("E101", relpath, 1, 1, detail=f"not UTF-8 text ({exc.reason})")
            continue
        if not _place(project, rel, doc):
            project.diag_at("E105", relpath, 1, 1, file=rel.as_posix())
    for name in SINGLE_FILES:
        if name not in project.singles:
            project.diag_at("E106", f"{root.name}/{name}.yaml", 1, 1, file=f"{name}.yaml")
    return project


def _with_key(diagnostic: Diagnostic, exc: LoadError, path: Path) -> Diagnostic:
    """Fill the source line and, for duplicates, the key name."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    source = lines[exc.mark.line - 1] if 0 < exc.mark.line <= len(lines) else ""
    message = diagnostic.message
    if exc.kind == "duplicate-key":
        message = fill(CATALOG["E102"].template, {"key": exc.detail})
    return Diagnostic(
        code=diagnostic.code,
        file=diagnostic.file,
        line=diagnostic.line,
        column=diagnostic.column,
        path=diagnostic.path,
        message=message,
        hint=diagnostic.hint,
        source=source,
    )


def _place(project: Project, rel: Path, doc: Document) -> bool:
    parts = rel.with_suffix("").parts
    if len(parts) == 1 and parts[0] in (*SINGLE_FILES, *OPTIONAL_SINGLE_FILES):
        project.singles[parts[0]] = doc
        return True
    if len(parts) == 2 and parts[0] in FOLDERS:
        getattr(project, parts[0])[parts[1]] = doc
        return True
    if len(parts) == 2 and parts[0] == "forms":
        project.forms[parts[1]] = doc
        return True
    if len(parts) == 3 and parts[0] == "forms":
        project.sections.setdefault(parts[1], {})[parts[2]] = doc
        return True
    return False
