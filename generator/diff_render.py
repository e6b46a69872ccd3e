"""The words of `python -m generator diff`: each change is a key and its values; the texts live in
generator/diff_texts.yaml, one catalog per language (`--lang en`, the default, and `--lang zh` for
a policy review meeting in Chinese), so no sentence is written in Python.

A `Change` is also the English line itself (a `str`), so callers that print or compare lines
need not know about languages."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("en", "zh")
APPLICANTS, REVIEWERS, EVERYONE = "applicants", "reviewers", "everyone"


class NoPath:
    """An empty routing cell: said as the language's `no_path`."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoPath)

    def __hash__(self) -> int:
        return 0


@cache
def catalog(lang: str) -> dict[str, Any]:
    text = resources.files("generator").joinpath("diff_texts.yaml").read_text("utf-8")
    found: dict[str, Any] = yaml.safe_load(text)[lang]
    return found


class _Formatter(string.Formatter):
    """`{x}` is the value as it is; `{x:show}` a value that may be empty or a list; `{x:joined}`
    a list joined; `{x:parts}` (key, items) pairs said one after the other; `{x:param}`,
    `{x:term}`, `{x:kind}` a rule parameter's, a key's or a rule kind's name in the language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.texts = catalog(lang)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, NoPath):
            return str(self.texts["texts"]["no_path"])
        if format_spec == "show":
            return show(value, self.texts)
        if format_spec == "joined":
            return str(self.texts["join"]).join(show(v, self.texts) for v in value or [])
        if format_spec == "parts":
            return joined_parts(value, self.lang)
        if format_spec in ("param", "term", "kind"):
            return str((self.texts.get(format_spec + "s") or {}).get(value, value))
        return str(value)


def show(value: Any, texts: Mapping[str, Any]) -> str:
    if isinstance(value, list):
        return str(texts["list"]).format(items=str(texts["list_sep"]).join(show(v, texts) for v in value))
    if value is None:
        return str(texts["none"])
    if isinstance(value, dict):
        return str(texts["list_sep"]).join(f"{k}: {show(v, texts)}" for k, v in value.items())
    return str((texts.get("values") or {}).get(value, value) if isinstance(value, str) else value)


def render(key: str, audience: str, values: Mapping[str, Any], lang: str) -> str:
    texts = catalog(lang)
    line = _Formatter(lang).vformat(str(texts["templates"][key]), (), dict(values))
    return str(texts["line"]).format(audience=texts["audiences"][audience], change=line)


def text(key: str, lang: str, **values: Any) -> str:
    """A line of the diff that is not a change (nothing changed, impact headings)."""
    return _Formatter(lang).vformat(str(catalog(lang)["texts"][key]), (), values)


class Change(str):
    """One change: its English line, plus what it takes to say it in another language and to
    find the declarations it touches (`scope`: states, a notice, a series × level, or all)."""

    key: str
    audience: str
    values: dict[str, Any]
    scope: dict[str, Any]

    def __new__(cls, template: str, audience: str, scope: Mapping[str, Any] | None = None, /, **values: Any) -> Change:
        made = super().__new__(cls, render(template, audience, values, "en"))
        made.key, made.audience, made.values = template, audience, values
        made.scope = dict(scope or {})
        return made

    def said(self, lang: str) -> str:
        return render(self.key, self.audience, self.values, lang)


def joined_parts(parts: Sequence[tuple[str, list[Any]]], lang: str) -> str:
    """`+a、b; -c`: the non-empty parts, each with its template, in the language."""
    texts = catalog(lang)
    formatter = _Formatter(lang)
    said = [formatter.vformat(str(texts["texts"][key]), (), {"items": items}) for key, items in parts if items]
    return str(texts["texts"]["parts_sep"]).join(said)
