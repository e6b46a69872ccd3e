"""The details `generator diff` owes policy staff (issue 11): the numbers inside a changed rule
(`minimum 90 → 72`), changed messages (rules, field overrides, messages.yaml), what changed
inside a workflow step, and notices with their windows. Each line names what changed, then
the old value and the new one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

STEP_KEYS = ("title", "from", "to", "by", "guards", "holder", "reopen_sections", "rule")
NOTICE_KEYS = ("title", "year", "opens", "closes", "series", "levels")


def show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if value is None:
        return "(none)"
    return str(value)


def rule_changes(name: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[str]:
    """One line per changed parameter, message, severity or condition of one rule."""
    head = f"[applicants] {name}: rule {after['kind']} [{after['rule']}]"
    params_a, params_b = before.get("params") or {}, after.get("params") or {}
    for key in sorted(set(params_a) | set(params_b)):
        if params_a.get(key) != params_b.get(key):
            yield f"{head} {key} {show(params_a.get(key))} → {show(params_b.get(key))}"
    for key in ("message", "severity", "when", "rule"):
        if before.get(key) != after.get(key):
            if key == "message":
                yield f"{head} message «{before.get(key)}» → «{after.get(key)}»"
            else:
                yield f"{head} {key} {show(before.get(key))} → {show(after.get(key))}"


def field_messages(name: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[str]:
    """Changed error messages of fields (their `messages:` overrides and the defaults they get)."""
    a, b = _messages_by_path(before["schema"]), _messages_by_path(after["schema"])
    for path in sorted(set(a) & set(b)):
        old_title, new_title = a[path].pop("\0title", ""), b[path].pop("\0title", "")
        for keyword in sorted(set(a[path]) | set(b[path])):
            old, new = a[path].get(keyword), b[path].get(keyword)
            if old is None or new is None or old == new:
                continue
            if new_title and old_title and new.replace(new_title, old_title) == old:
                continue  # only the field's title changed, and that is reported already
            yield f"[applicants] {name}: {path or 'form'} message for {keyword} «{old}» → «{new}»"


def _messages_by_path(schema: Mapping[str, Any], path: str = "") -> dict[str, dict[str, str]]:
    found = (
        {path: {**(schema.get("x-messages") or {}), "\0title": str(schema.get("title") or "")}}
        if schema.get("x-messages")
        else {}
    )
    for key, prop in (schema.get("properties") or {}).items():
        found.update(_messages_by_path(prop, f"{path}.{key}" if path else key))
    if isinstance(schema.get("items"), Mapping):
        found.update(_messages_by_path(schema["items"], path))
    return found


def texts(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[str]:
    """messages.yaml: every page, API and default validation text that changed."""
    a, b = _flat(before), _flat(after)
    for key in sorted(set(b) - set(a)):
        yield f"[everyone] text {key} added 「{b[key]}」"
    for key in sorted(set(a) - set(b)):
        yield f"[everyone] text {key} removed 「{a[key]}」"
    for key in sorted(set(a) & set(b)):
        if a[key] != b[key]:
            yield f"[everyone] text {key} 「{a[key]}」 → 「{b[key]}」"


def _flat(messages: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in messages.items():
        if key == "id" and not prefix:
            continue
        if isinstance(value, Mapping):
            found.update(_flat(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = str(value)
    return found


def step_changes(workflow: str, step_id: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[str]:
    head = f"[reviewers] workflow {workflow}: step {step_id} 「{after.get('title')}」"
    for key in STEP_KEYS:
        if before.get(key) != after.get(key):
            yield f"{head} {key} {show(before.get(key))} → {show(after.get(key))}"


def notices(before: list[Any], after: list[Any]) -> Iterator[str]:
    a = {n.get("id"): n for n in before if isinstance(n, Mapping)}
    b = {n.get("id"): n for n in after if isinstance(n, Mapping)}
    for nid in [n for n in b if n not in a]:
        yield f"[everyone] new notice {nid} {_notice(b[nid])}"
    for nid in [n for n in a if n not in b]:
        yield f"[everyone] notice {nid} removed {_notice(a[nid])}"
    for nid in [n for n in b if n in a]:
        for key in NOTICE_KEYS:
            if a[nid].get(key) != b[nid].get(key):
                yield (
                    f"[everyone] notice {nid} 「{b[nid].get('title')}」 {key} "
                    f"{show(a[nid].get(key))} → {show(b[nid].get(key))}"
                )


def _notice(notice: Mapping[str, Any]) -> str:
    return (
        f"「{notice.get('title')}」 year {notice.get('year')}, {notice.get('opens')}..{notice.get('closes')},"
        f" series {show(notice.get('series'))}, levels {show(notice.get('levels'))}"
    )
