"""What else `generator diff` owes policy staff (issue 11): the children of a code-list entry
(a series' titles per level and its specialties: which were added, which removed) and print
layouts (their settings, and the columns or fields they print: added, removed, changed,
reordered), since both change what applicants and committees see."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.diff_render import EVERYONE, REVIEWERS, Change
from generator.model import Model

ITEM_NAMES = ("source", "id", "title")  # what tells apart the columns or fields of a layout


def entry_changes(name: str, value: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    """One code-list entry: added and removed children for lists (and lists per key), else old → new."""
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if _list_or_none(a) and _list_or_none(b):
            yield Change("entry_children", EVERYONE, name=name, value=value, key=key, change=_parts(a, b))
        elif _lists_by_key(a) and _lists_by_key(b):
            a, b = a or {}, b or {}
            for sub in [*b, *(k for k in a if k not in b)]:
                if a.get(sub) != b.get(sub):
                    change = _parts(a.get(sub), b.get(sub))
                    yield Change("entry_children_of", EVERYONE, name=name, value=value, key=key, sub=sub, change=change)
        else:
            yield Change("entry_key", EVERYONE, name=name, value=value, key=key, old=a, new=b)


def _list_or_none(value: Any) -> bool:
    return value is None or isinstance(value, list)


def _lists_by_key(value: Any) -> bool:
    return value is None or (isinstance(value, dict) and all(isinstance(v, list) for v in value.values()))


def _parts(before: Any, after: Any) -> list[tuple[str, list[Any]]]:
    a, b = list(before or []), list(after or [])
    return [("added", [x for x in b if x not in a]), ("removed", [x for x in a if x not in b])]


def layouts(old: Model, new: Model) -> Iterator[Change]:
    a, b = _layouts(old), _layouts(new)
    for name in [n for n in b if n not in a]:
        yield Change("print_added", REVIEWERS, name=name, title=b[name].get("title"))
    for name in [n for n in a if n not in b]:
        yield Change("print_removed", REVIEWERS, name=name, title=a[name].get("title"))
    for name in [n for n in b if n in a and a[n] != b[n]]:
        yield from _layout(name, a[name], b[name])


def _layouts(model: Model) -> dict[str, dict[str, Any]]:
    return {
        name: {k: v for k, v in doc.data.items() if k != "id"}
        for name, doc in sorted(model.project.print.items())
        if isinstance(doc.data, dict)
    }


def _layout(name: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    head = {"name": name, "title": after.get("title")}
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if _items(a) and _items(b):
            yield from _items_changed(head, key, a or [], b or [])
        else:
            yield Change("print_key", REVIEWERS, key=key, old=a, new=b, **head)


def _items(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(v, dict) for v in value))


def _label(item: Mapping[str, Any]) -> str:
    return str(next((item[k] for k in ITEM_NAMES if item.get(k) is not None), item))


def _items_changed(head: dict[str, Any], part: str, before: list[Any], after: list[Any]) -> Iterator[Change]:
    a = {_label(i): i for i in before}
    b = {_label(i): i for i in after}
    for item in [i for i in b if i not in a]:
        yield Change("print_item_added", REVIEWERS, part=part, item=_title(b[item]), **head)
    for item in [i for i in a if i not in b]:
        yield Change("print_item_removed", REVIEWERS, part=part, item=_title(a[item]), **head)
    for item in [i for i in b if i in a and a[i] != b[i]]:
        for key in [*b[item], *(k for k in a[item] if k not in b[item])]:
            if a[item].get(key) != b[item].get(key):
                old, new = a[item].get(key), b[item].get(key)
                yield Change(
                    "print_item_key", REVIEWERS, part=part, item=_title(a[item]), key=key, old=old, new=new, **head
                )
    kept_a, kept_b = [i for i in a if i in b], [i for i in b if i in a]
    if kept_a != kept_b:
        old, new = [_title(a[i]) for i in kept_a], [_title(b[i]) for i in kept_b]
        yield Change("print_order", REVIEWERS, part=part, old=old, new=new, **head)


def _title(item: Mapping[str, Any]) -> str:
    return str(item.get("title") or _label(item))
