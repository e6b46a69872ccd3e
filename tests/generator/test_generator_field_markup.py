"""A form's field markup, written at build time (generator/emit/fields.py): what a schema says is
shown as text, never read as template code; the page fills in only its own holes."""

from __future__ import annotations

import html
from typing import Any

import jinja2
import pytest

from generator.emit import fields


def page(markup: str, **context: Any) -> str:
    """The markup rendered as the pages render it (autoescape, undefined names are empty)."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined)
    descriptor = context.pop("descriptor")
    values = {"doc": {}, "errors": {}, "readonly": False, "form": {"field_index": {descriptor["id"]: descriptor}}}
    return env.from_string(markup).render({**values, **context})


def text_field(**overrides: Any) -> dict[str, Any]:
    return {"id": "post", "type": "text", "widget": "text", "title": "职务", **overrides}


@pytest.mark.parametrize("text", ["{{ 7 * 7 }}", "{% if true %}49{% endif %}", "{#x#}49", "{{{ 7 * 7 }}}"])
def test_a_title_or_hint_that_looks_like_template_code_is_shown_as_typed(text: str) -> None:
    descriptor = text_field(title=text, hint=text)
    shown = page(fields.field(descriptor), descriptor=descriptor)
    assert html.unescape(shown).count(text) == 2  # the label and the hint, as typed
    assert "49" not in html.unescape(shown).replace(text, "")  # nothing of it ran


def test_braces_that_open_no_template_code_are_written_unchanged() -> None:
    descriptor = text_field(title="第{n}行 {title}", hint="{ 不是代码 }")
    markup = fields.field(descriptor)
    assert "第{n}行 {title}" in markup and "{ 不是代码 }" in markup
    assert "第{n}行 {title}" in page(markup, descriptor=descriptor)


def test_the_page_fills_in_the_value_the_error_and_read_only() -> None:
    descriptor = text_field(maxLength=60, required=True)
    markup = fields.field(descriptor)
    shown = page(markup, descriptor=descriptor, doc={"post": '副馆长 <b>"'}, errors={"/post": "请填写"}, readonly=True)
    assert 'value="副馆长 &lt;b&gt;&#34;"' in shown
    assert 'aria-invalid="true" aria-describedby="post-error"' in shown and '<p class="error" id="post-error">' in shown
    assert " readonly" in shown and 'data-maxlength="60"' in shown and '<span class="req">*</span>' in shown
    plain = page(markup, descriptor=descriptor)
    assert 'value=""' in plain and "aria-invalid" not in plain and " readonly" not in plain


def test_a_default_shows_until_a_value_is_saved() -> None:
    descriptor = text_field(default="无")
    markup = fields.field(descriptor)
    assert 'value="无"' in page(markup, descriptor=descriptor)
    assert 'value="有"' in page(markup, descriptor=descriptor, doc={"post": "有"})


def test_a_forms_module_shows_the_field_asked_for_and_only_it() -> None:
    compiled = {"fields": [text_field(), text_field(id="since", title="任职时间")]}
    module = fields.module(compiled)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined)
    template = env.from_string(module + "{{ field(which, {}, {}) }}")
    form = {"field_index": {d["id"]: d for d in compiled["fields"]}}
    since = template.render(which="since", form=form)
    assert 'data-field="since"' in since and 'data-field="post"' not in since
    assert template.render(which="nothing", form=form).strip() == ""


@pytest.mark.parametrize("bad", ["Post", "post-1", "post'}}", ""])
def test_a_name_that_is_not_plain_never_reaches_the_page_code(bad: str) -> None:
    with pytest.raises(ValueError):
        fields.field(text_field(id=bad))
