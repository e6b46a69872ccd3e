"""The details `generator diff` owes policy staff (issue 11): the numbers inside a changed rule
(`minimum 90 → 72`), changed messages (rules, field overrides, messages.yaml), what changed
inside a workflow step, and notices with their windows. Each line names what changed, then
the old value and the new one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.diff_render import APPLICANTS, EVERYONE, REVIEWERS, Change

STEP_KEYS = ("title", "from", "to", "by", "guards", "holder", "reopen_sections", "rule")
NOTICE_KEYS = ("title", "year", "opens", "closes", "series", "levels")


def rule_changes(name: str, form: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    """One line per changed parameter, message, severity or condition of one rule."""
    head = {"name": name, "form": form, "kind": after["kind"], "rule": after["rule"]}
    params_a, params_b = before.get("params") or {}, after.get("params") or {}
    for key in sorted(set(params_a) | set(params_b)):
        if params_a.get(key) != params_b.get(key):
            yield Change("rule_param", APPLICANTS, key=key, old=params_a.get(key), new=params_b.get(key), **head)
    for key in ("message", "severity", "when", "rule"):
        if before.get(key) != after.get(key):
            which = "rule_message" if key == "message" else "rule_key"
            yield Change(which, APPLICANTS, key=key, old=before.get(key), new=after.get(key), **head)


def field_messages(name: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
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
            where = {"path": path} if path else {}
            yield Change(
                "field_message" if path else "form_message",
                APPLICANTS,
                name=name,
                form=after["title"],
                keyword=keyword,
                old=old,
                new=new,
                **where,
            )


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


def texts(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    """messages.yaml: every page, API and default validation text that changed."""
    a, b = _flat(before), _flat(after)
    for key in sorted(set(b) - set(a)):
        yield Change("text_added", EVERYONE, key=key, value=b[key])
    for key in sorted(set(a) - set(b)):
        yield Change("text_removed", EVERYONE, key=key, value=a[key])
    for key in sorted(set(a) & set(b)):
        if a[key] != b[key]:
            yield Change("text_changed", EVERYONE, key=key, old=a[key], new=b[key])


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


def step_changes(workflow: str, step_id: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    states = {"states": sorted({*(before.get("from") or []), *(after.get("from") or [])})}
    for key in STEP_KEYS:
        if before.get(key) != after.get(key):
            yield Change(
                "step_key",
                REVIEWERS,
                states,
                name=workflow,
                id=step_id,
                title=after.get("title"),
                key=key,
                old=before.get(key),
                new=after.get(key),
            )


def notices(before: list[Any], after: list[Any]) -> Iterator[Change]:
    a = {n.get("id"): n for n in before if isinstance(n, Mapping)}
    b = {n.get("id"): n for n in after if isinstance(n, Mapping)}
    for nid in [n for n in b if n not in a]:
        yield Change("notice_added", EVERYONE, {"notice": nid}, **_notice(b[nid]))
    for nid in [n for n in a if n not in b]:
        yield Change("notice_removed", EVERYONE, {"notice": nid}, **_notice(a[nid]))
    for nid in [n for n in b if n in a]:
        for key in NOTICE_KEYS:
            if a[nid].get(key) != b[nid].get(key):
                yield Change(
                    "notice_key",
                    EVERYONE,
                    {"notice": nid},
                    id=nid,
                    title=b[nid].get("title"),
                    key=key,
                    old=a[nid].get(key),
                    new=b[nid].get(key),
                )


def _notice(notice: Mapping[str, Any]) -> dict[str, Any]:
    return {key: notice.get(key) for key in ("id", *NOTICE_KEYS)}
