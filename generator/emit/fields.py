"""The HTML of a compiled form's fields, rows and uploads, written at build time.

A page used to call a macro per field that looked at every property of the field's descriptor
on every render (widget, limits, format, labels, hints): the same answer each time for a given
build, and about a third of a section page's time. What the descriptor fixes is now written out
here, once, from `generator/fragments/fields.html`; the page keeps only what it decides itself
(value, error, read-only, options, files) as Jinja holes. One source for the markup: the section
pages inline it, and the hand-written pages that show a form's fields import it as a macro from
`templates/fields/<form>.html`.

Static text is escaped for HTML here, and a `{` that would open Jinja in the page (`{{`, `{%`,
`{#`) is written as `&#123;`, so no title or hint in a schema is ever read as template code.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

# how ids and kinds appear inside the page's Jinja (as string literals): plain names only
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_OPENS_JINJA = re.compile(r"\{(?=[{%#])")


class Code(Markup):
    """Jinja for the page, written into the fragment as it is (never escaped)."""


def _neutral(text: str) -> str:
    return _OPENS_JINJA.sub("&#123;", text)


def _finalize(value: Any) -> Any:
    """Every [[ ]] of the fragments: code as it is, any other value as HTML text that Jinja
    will not read (Markup from a macro or filter was made from such text already)."""
    if isinstance(value, Markup):
        return value
    return Markup(_neutral(str(escape(value))))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        block_start_string="[%",
        block_end_string="%]",
        variable_start_string="[[",
        variable_end_string="]]",
        comment_start_string="[#",
        comment_end_string="#]",
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    env.globals["code"] = Code
    env.filters["neutral"] = lambda value: Markup(_neutral(str(value)))
    return env


_SOURCE = resources.files("generator").joinpath("fragments", "fields.html").read_text("utf-8")
_MACROS: Any = _environment().from_string(_SOURCE).module


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        # the meta-schema (common.json `id`) lets no other through: a build that gets here is broken
        raise ValueError(f"{what} {value!r} is not a plain name ([a-z][a-z0-9_]*)")
    return value


def _check(descriptor: dict[str, Any]) -> None:
    _name(descriptor.get("id"), "field id")
    for sub in descriptor.get("fields") or []:
        _name(sub.get("id"), "field id")


def field(descriptor: dict[str, Any]) -> str:
    """One top-level field of a form, found by the page as `form.field_index['<id>']`."""
    _check(descriptor)
    return str(_MACROS.field(descriptor, Code(f"form.field_index['{descriptor['id']}']"))).strip()


def rows(spec: dict[str, Any]) -> str:
    for descriptor in spec.get("fields") or []:
        _check(descriptor)
    return str(_MACROS.rows(spec)).strip()


def uploads(form_id: str, specs: list[dict[str, Any]]) -> str:
    _name(form_id, "form id")
    for spec in specs:
        _name(spec.get("kind"), "upload kind")
    return str(_MACROS.uploads(specs, form_id=form_id)).strip()


def module(compiled: dict[str, Any]) -> str:
    """A template of one macro, `field(field_id, doc, errors, readonly=false)`, for pages that
    show a form's fields one by one (registration, one's own details)."""
    lines = ["{% macro field(field_id, doc, errors, readonly=false) %}"]
    for n, descriptor in enumerate(compiled.get("fields") or []):
        lines.append(f"{{% {'if' if n == 0 else 'elif'} field_id == '{_name(descriptor.get('id'), 'field id')}' %}}")
        lines.append(field(descriptor))
    if compiled.get("fields"):
        lines.append("{% endif %}")
    lines.append("{% endmacro %}")
    return "\n".join(lines) + "\n"


def nav(sections: list[dict[str, Any]], here: str) -> str:
    """The section links of a declaration's pages, `here` marked as the page's own."""
    for section in sections:
        _name(section.get("id"), "section id")
    return str(_MACROS.nav(sections, here)).strip()
