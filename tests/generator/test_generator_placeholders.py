"""One value, one place: `{placeholders}` in titles and messages are filled from the policy value
they name, so changing a limit in YAML changes every text that shows it (issue 11)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from conftest import ROOT

from generator.compiler import Result, compile_schemas
from vocabulary.rules import Context
from vocabulary.validation import FormValidator

ACHIEVEMENTS = ROOT / "schemas" / "forms" / "declaration" / "achievements.yaml"
LEFT_OVER = re.compile(r"\{[A-Za-z_]+\}")


def compiled(result: Result, path: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(result.artifacts[path])
    return found


def test_a_changed_rows_limit_changes_the_title_and_the_message_that_name_it(tmp_path: Path) -> None:
    before = json.loads((ROOT / "build" / "forms" / "declaration" / "achievements.json").read_text("utf-8"))
    old_max = before["rows"]["max"]
    new_max = old_max + 5
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    section = schemas / "forms" / "declaration" / "achievements.yaml"
    section.write_text(re.sub(r"\n  max: \d+\n", f"\n  max: {new_max}\n", section.read_text("utf-8"), count=1), "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, result.report.render()
    after = compiled(result, "forms/declaration/achievements.json")
    message = after["schema"]["properties"]["rows"]["x-messages"]["maxItems"]
    assert str(new_max) in after["title"] and str(old_max) not in after["title"]
    assert str(new_max) in message and str(old_max) not in message
    assert str(old_max) in before["title"]


def test_no_compiled_title_or_field_message_keeps_a_placeholder(repository: Result) -> None:
    for path, content in repository.artifacts.items():
        if not path.startswith("forms/") or not path.endswith(".json"):
            continue
        form = json.loads(content)
        assert not LEFT_OVER.search(str(form["title"])), (path, form["title"])
        for prop in _properties(form["schema"]):
            for message in (prop.get("x-messages") or {}).values():
                assert not LEFT_OVER.search(message), (path, message)


def _properties(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema]
    for prop in (schema.get("properties") or {}).values():
        found.extend(_properties(prop))
    if isinstance(schema.get("items"), dict):
        found.extend(_properties(schema["items"]))
    return found


def test_a_rule_message_is_filled_from_the_rules_own_parameters(repository: Result) -> None:
    """The yearly minimum of DEC-12 is written once (`minimum:`); its message names {minimum}."""
    section = compiled(repository, "forms/declaration/continuing_education.json")
    dictionaries = {k: v["entries"] for k, v in json.loads(repository.artifacts["dictionaries.json"]).items()}
    rule = next(r for r in section["rules"] if "{minimum}" in r["message"])
    only_this = {**section, "rules": [rule]}
    invalid = {"rows": [{"start": "2024.01", "end": "2024.12", "category": "专业科目", "hours": "1学时"}]}
    errors = FormValidator(only_this, dictionaries).errors(invalid, Context(year=2026))
    messages = [e.message for e in errors if e.code == "rule:yearly-minimum"]
    assert messages and all(str(rule["params"]["minimum"]) in m and not LEFT_OVER.search(m) for m in messages)
