"""DEC-13 and DEC-21 through the compiled sections of build/: a gap, an overlap, rows out of
order and two open rows each get their own message naming rows and months; 学分 never
count as 学时. Message texts come from build/, the values from the rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vocabulary.rules import Context
from vocabulary.validation import FormValidator, fill_message

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
DICTIONARIES = {k: v["entries"] for k, v in json.loads((BUILD / "dictionaries.json").read_text("utf-8")).items()}


def _section(name: str) -> dict[str, Any]:
    return dict(json.loads((BUILD / "forms" / "declaration" / f"{name}.json").read_text("utf-8")))


WORK = _section("work_experience")
CONTIGUOUS = next(r for r in WORK["rules"] if r["kind"] == "contiguous")


def _messages(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    document = {"rows": [{"start": s, "end": e, "unit_dept_post": "甲/乙/丙"} for s, e in rows]}
    errors = FormValidator(WORK, DICTIONARIES).errors(document, Context(year=2026))
    return [(e.path, e.message) for e in errors if e.code == "rule:contiguous"]


@pytest.mark.parametrize(
    ("rows", "problem", "path", "params"),
    [
        (
            [("2010.07", "2015.06"), ("2016.01", "至今")],
            "gap",
            "/rows/1/start",
            {"previous_row": 1, "row": 2, "missing_from": "2015.07", "missing_to": "2015.12", "months": 6},
        ),
        (
            [("2010.07", "2015.06"), ("2014.01", "至今")],
            "overlap",
            "/rows/1/start",
            {"previous_row": 1, "row": 2, "previous_end": "2015.06"},
        ),
        ([("2015.07", "至今"), ("2010.07", "2015.06")], "order", "/rows/1/start", {"previous_row": 1, "row": 2}),
        (
            [("2010.07", "至今"), ("2015.07", "至今")],
            "open_not_last",
            "/rows/0/end",
            {"previous_row": 1, "row": 2},
        ),
    ],
)
def test_each_kind_of_work_history_failure_gets_its_own_message(
    rows: list[tuple[str, str]], problem: str, path: str, params: dict[str, Any]
) -> None:
    template = CONTIGUOUS["messages"][problem]
    assert _messages(rows) == [(path, fill_message(template, params))]
    assert "{" not in _messages(rows)[0][1]


def test_continuous_work_history_has_no_message() -> None:
    assert _messages([("2010.07", "2015.06"), ("2015.07", "至今")]) == []


TRAINING = _section("continuing_education")


def _training_warnings(hours: list[tuple[str, str]]) -> list[str]:
    rows = [
        {"start": "2024.01", "end": "2024.12", "category": category, "content": "培训", "hours": amount}
        for category, amount in hours
    ]
    errors = FormValidator(TRAINING, DICTIONARIES).errors({"rows": rows}, Context(year=2026))
    return [e.message for e in errors if e.code == "rule:yearly-minimum"]


def _minimums() -> dict[str, int]:
    return {
        str((r["params"].get("where") or {}).get("category", "")): int(r["params"]["minimum"])
        for r in TRAINING["rules"]
        if r["kind"] == "yearly-minimum"
    }


def test_enough_hours_in_each_category_give_no_warning() -> None:
    minimums = _minimums()
    categories = [c for c in minimums if c]
    hours = [(c, f"{minimums[c]}学时") for c in categories]
    assert _training_warnings(hours) == []


def test_credits_are_not_counted_as_hours() -> None:
    minimums = _minimums()
    categories = [c for c in minimums if c]
    hours = [(c, f"{minimums[c]}学分") for c in categories]
    expected = [
        fill_message(r["message"], {"year": 2024, "total": 0, "minimum": r["params"]["minimum"]})
        for r in TRAINING["rules"]
        if r["kind"] == "yearly-minimum"
    ]
    assert sorted(_training_warnings(hours)) == sorted(expected)
