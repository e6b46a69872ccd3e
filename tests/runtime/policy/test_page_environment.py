"""The pages' Jinja environment asks a plain dict for its item first (a shortcut taken for
speed, issue 14): every template must render exactly as with Jinja's own lookup. And a render
leaves no reference cycles for the garbage collector, whose passes pause the whole process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import cyclic_garbage

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


# -- a render leaves nothing for the garbage collector ---------------------------------------

MACROS = "{% macro one(x) %}[{{ two(x) }}|{{ who }}]{% endmacro %}{% macro two(x) %}{{ x }}{% endmacro %}"
PAGES = {
    "macros.html": MACROS,
    "with.html": '{% import "macros.html" as m with context %}{{ m.one(1) }}{{ m.one(2) }}',
    "without.html": '{% import "macros.html" as m %}{{ m.two(3) }}',
}


def left_in_cycles(render: Any, times: int) -> int:
    """Objects in reference cycles that `times` renders leave."""
    with cyclic_garbage() as found:
        for _ in range(times):
            render()
    return len(found)


def test_macros_imported_with_context_leave_no_cycles_behind() -> None:
    for kind in (PageEnvironment, jinja2.Environment):
        env = kind(loader=jinja2.DictLoader(PAGES), autoescape=True)
        page = env.get_template("with.html")
        assert page.render(who="张三") == "[1|张三][2|张三]"
        left = left_in_cycles(lambda page=page: page.render(who="李四"), 20)
        if kind is PageEnvironment:
            assert left == 0
        else:
            assert left >= 20  # why PageTemplate exists: every render leaves its macros in a cycle


def test_a_module_imported_without_context_is_kept_for_the_next_render() -> None:
    env = PageEnvironment(loader=jinja2.DictLoader(PAGES), autoescape=True)
    for _ in range(3):  # made once on the first render and kept, not emptied after it
        assert env.get_template("without.html").render() == "3"
        assert env.get_template("with.html").render(who="王五") == "[1|王五][2|王五]"
    assert left_in_cycles(lambda: env.get_template("without.html").render(), 20) == 0
