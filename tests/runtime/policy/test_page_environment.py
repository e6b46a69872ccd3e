"""The pages' Jinja environment asks a plain dict for its item first (a shortcut taken for
speed, issue 14): every template must render exactly as with Jinja's own lookup."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.policy.versions import PageEnvironment, template_environment

ROOT = Path(__file__).resolve().parents[3]


def both(source: str, **context: Any) -> tuple[str, str]:
    options: dict[str, Any] = {"autoescape": True, "undefined": jinja2.ChainableUndefined}
    return (
        PageEnvironment(**options).from_string(source).render(**context),
        jinja2.Environment(**options).from_string(source).render(**context),
    )


names = st.sampled_from(["title", "items", "get", "keys", "values", "copy", "missing", "pop", "x"]) | st.from_regex(
    r"[a-z_][a-z0-9_]{0,8}", fullmatch=True
)
values = st.none() | st.integers() | st.text(max_size=8) | st.lists(st.integers(), max_size=3)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(names, values, max_size=6), names)
def test_a_dict_reads_the_same_as_with_jinjas_own_lookup(data: dict[str, Any], name: str) -> None:
    source = "{{ d.%s }}|{{ d.%s is defined }}|{{ d.%s.deeper }}|{{ d.%s | string | length }}" % ((name,) * 4)
    mine, theirs = both(source, d=data)
    assert mine == theirs


def test_dict_methods_still_come_before_items() -> None:
    data = {"items": "an item called items", "title": "<b>"}
    mine, theirs = both("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{{ d.get('title') }}", d=data)
    assert mine == theirs == "items=an item called items;title=&lt;b&gt;;&lt;b&gt;"


def test_other_objects_are_read_as_before() -> None:
    @dataclass
    class Form:
        title: str

    class Row(dict[str, Any]):  # a dict subclass keeps Jinja's own order
        title = "attribute"

    mine, theirs = both("{{ f.title }}|{{ f.missing }}|{{ r.title }}|{{ r.other }}", f=Form("a form"), r=Row(other=1))
    assert mine == theirs == "a form||attribute|1"


def test_the_pages_use_it() -> None:
    assert isinstance(template_environment(ROOT / "build"), PageEnvironment)
