"""Read YAML so that policy staff cannot lose a month or a leading zero.

Plain YAML turns `2015.10` into the float 2015.1, `2026-11-01` into a date and
`no` into False. This loader keeps all of those as the text that was written:
only `true`/`false` are booleans, only whole numbers are numbers. It also
records where every value stands in the file, so diagnostics can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class _TextLoader(yaml.SafeLoader):
    """A SafeLoader whose implicit resolvers know only null, bool, int."""


_TextLoader.yaml_implicit_resolvers = {}
_TextLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_TextLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*))$"),
    list("-+0123456789"),
)
_TextLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null",
    re.compile(r"^(?:~|null|Null|NULL|)$"),
    ["~", "n", "N", ""],
)
_TextLoader.add_implicit_resolver(
    "tag:yaml.org,2002:merge",
    re.compile(r"^(?:<<)$"),
    ["<"],
)


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Document:
    """One YAML file: its data and where each value (and key) stands."""

    path: Path
    relpath: str
    data: Any
    lines: list[str]
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """The closest recorded position for a path (walking up to the parent)."""
        probe = tuple(path)
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return Mark(1, 1)
            probe = probe[:-1]

    def source_line(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


class LoadError(Exception):
    """The file is not readable YAML; carries the position of the problem."""

    def __init__(self, kind: str, detail: str, mark: Mark) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.mark = mark


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, loader: _TextLoader, doc: Document) -> None:
        self.loader = loader
        self.doc = doc

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.doc.values.setdefault(path, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        raise LoadError("syntax", f"unsupported node {node!r}", _mark(node))

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:bool":
            return node.value.lower() == "true"
        if node.tag == "tag:yaml.org,2002:int":
            return int(node.value)
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return str(node.value)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, path)
                sources = merged if isinstance(merged, list) else [merged]
                for source in sources:
                    if isinstance(source, dict):
                        for k, v in source.items():
                            result.setdefault(k, v)
                continue
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise LoadError("syntax", "mapping keys must be plain text", _mark(key_node))
            key = str(key)
            if key in result and (*path, key) in self.doc.keys:
                raise LoadError("duplicate-key", key, _mark(key_node))
            self.doc.keys[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result


def load_text(text: str, path: Path, relpath: str) -> Document:
    doc = Document(path=path, relpath=relpath, data=None, lines=text.splitlines())
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            doc.data = None
            return doc
        doc.data = _Builder(loader, doc).build(node, ())
    except yaml.MarkedYAMLError as exc:
        problem_mark = exc.problem_mark or exc.context_mark
        mark = Mark(problem_mark.line + 1, problem_mark.column + 1) if problem_mark else Mark(1, 1)
        raise LoadError("syntax", str(exc.problem or exc), mark) from exc
    finally:
        loader.dispose()
    return doc


def load_file(path: Path, root: Path) -> Document:
    text = path.read_text(encoding="utf-8")
    return load_text(text, path, path.relative_to(root.parent).as_posix())
