"""What the printed documents hold (PRN-1 review form, PRN-2 overview, CERT-1 certificate).

Each document's content comes from build/print.json (titles, columns, fields, sources),
the compiled forms (section and field titles, order) and the stored declarations;
runtime/pdf.py renders the contexts built here. Sources are the names listed in
docs/schema-language.md: person.<field>, <section>.<field>, declaration.<attribute>,
certificate.<attribute>, row_number, printed_at.

Who may see what: a review form and a certificate go to those who may see the
declaration (declarations.visible), a certificate only once it is issued; an overview
lists only declarations the organisation holds or has held. Others get 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from runtime.bundle import Form
from runtime.clock import parse
from runtime.committee import policy as committee_policy
from runtime.corrections import service as corrections
from runtime.declarations import declarations, uploads
from runtime.documents.pdf import page_css
from runtime.policy import versions
from runtime.review import workflow
from runtime.storage import loads
from runtime.storage.rows import Account, Declaration, account_row, declaration_row
from runtime.web.http import Services

REVIEW_FORM = "review_form"
OVERVIEW = "overview"
CERTIFICATE = "certificate"
# The public verification page shows no more than these (CERT-1).
VERIFY_SOURCES = ("person.name", f"{declarations.HEADER}.title", "certificate.date")
ACCOUNT_COLUMNS = ("name", "id_number", "mobile", "login_name")
MAX_COLUMN_WEIGHT = 16
# The overview's text grid: 8.5pt text across a landscape A4 page less print.css's 14 mm side
# margins (269 mm = 762 pt = 179 half-em units).
OVERVIEW_FONT_PT = 8.5
OVERVIEW_UNITS = int((297 - 2 * 14) / 25.4 * 72 / OVERVIEW_FONT_PT * 2)
HEADER_CHARS = 4  # a longer column title may wrap
CELL_PADDING = 0.6


@dataclass
class Subject:
    """One declaration with everything a source may name, ready to print."""

    declaration: Declaration
    person: dict[str, Any]
    sections: dict[str, dict[str, Any]]
    org_names: dict[str, str]


# -- loading -----------------------------------------------------------------------------


def section_forms(svc: Services, spec: dict[str, Any]) -> list[Form]:
    """The sections a document prints, in schema order (`sections: all` or a list)."""
    every = svc.bundle.declaration_sections()
    chosen = spec.get("sections")
    if not isinstance(chosen, list):
        return every
    return [f for f in every if f.id in chosen]


def load_subjects(svc: Services, rows: list[Declaration], section_ids: set[str] | None = None) -> list[Subject]:
    """Subjects for these declaration rows in a few queries (an overview may hold hundreds)."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    people: dict[str, dict[str, Any]] = {}
    stored: dict[str, dict[str, dict[str, Any]]] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for account in svc.storage.all(
            f"SELECT a.* FROM accounts a JOIN declarations d ON d.person_id = a.id WHERE d.id IN ({marks})",
            tuple(chunk),
        ):
            people[account["id"]] = _person(account_row(account))
        sql = f"SELECT declaration_id, section_id, data FROM sections WHERE declaration_id IN ({marks})"
        params: list[Any] = list(chunk)
        if section_ids is not None:
            if not section_ids:
                continue
            sql += f" AND section_id IN ({','.join('?' * len(section_ids))})"
            params += sorted(section_ids)
        for section in svc.storage.all(sql, tuple(params)):
            stored.setdefault(section["declaration_id"], {})[section["section_id"]] = loads(section["data"], {})
    forms = {f.id: f for f in svc.bundle.declaration_sections()}
    wanted_orgs: set[str] = set()
    for row in rows:
        chain = loads(row["chain"], [])
        wanted_orgs.update(x for x in (row["unit_id"], row["holder_org_id"], *chain[-1:]) if x)
        for section_id, doc in stored.get(row["id"], {}).items():
            if section_id in forms:
                wanted_orgs.update(_org_values(forms[section_id], doc))
    names = org_names(svc, wanted_orgs)
    submitted_under = corrections.printed_unit_names(svc, rows)  # a unit renamed after submitting
    subjects = []
    for row in rows:
        docs = stored.get(row["id"], {})
        own = names
        if row["id"] in submitted_under and row["unit_id"]:
            own = {**names, str(row["unit_id"]): submitted_under[row["id"]]}
        printable = {sid: printable_section(forms[sid], doc, own) for sid, doc in docs.items() if sid in forms}
        subjects.append(Subject(row, people.get(row["person_id"], {}), printable, own))
    return subjects


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _person(account: Account) -> dict[str, Any]:
    person = dict(loads(account.get("data"), {}) or {})
    for key in ACCOUNT_COLUMNS:
        person[key] = account.get(key)
    return person


def org_names(svc: Services, ids: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    ordered = sorted(i for i in ids if isinstance(i, str))
    for chunk in _chunks(ordered):
        marks = ",".join("?" * len(chunk))
        for row in svc.storage.all(f"SELECT id, name FROM organisations WHERE id IN ({marks})", tuple(chunk)):
            found[row["id"]] = row["name"]
    return found


def _org_values(form: Form, doc: dict[str, Any]) -> set[str]:
    values: set[str] = set()
    for d in form.compiled.get("fields") or []:
        if d.get("type") == "org" and isinstance(doc.get(d["id"]), str):
            values.add(doc[d["id"]])
    org_columns = [c for c, d in form.row_index.items() if d.get("type") == "org"]
    for row in doc.get("rows") or []:
        if isinstance(row, dict):
            values.update(row[c] for c in org_columns if isinstance(row.get(c), str))
    return values


def printable_section(form: Form, doc: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The stored section as text to print: organisations by name, numbers as text."""

    def show(descriptor: dict[str, Any] | None, value: Any) -> Any:
        if value is None or value == "":
            return None
        if descriptor is not None and descriptor.get("type") == "org" and isinstance(value, str):
            return names.get(value, value)
        if isinstance(value, dict):
            subs = {d["id"]: d for d in (descriptor or {}).get("fields") or []}
            return {k: show(subs.get(k), v) for k, v in value.items()}
        return str(value)

    result: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "rows" and isinstance(value, list):
            result["rows"] = [
                {k: show(form.row_index.get(k), v) for k, v in row.items()} for row in value if isinstance(row, dict)
            ]
        else:
            result[key] = show(form.field_index.get(key), value)
    return result


# -- sources -----------------------------------------------------------------------------


def source_value(svc: Services, subject: Subject, source: str, *, row_number: int = 0, printed_at: str = "") -> str:
    """The text a source names for this declaration ("" when it holds nothing)."""
    if source == "row_number":
        return str(row_number)
    if source == "printed_at":
        return printed_at
    kind, _, name = source.partition(".")
    value: Any = None
    if kind == "person":
        value = subject.person.get(name)
    elif kind == "declaration":
        value = _declaration_attribute(svc, subject, name)
    elif kind == "certificate":
        value = _certificate_attribute(svc, subject, name)
    else:
        document = subject.sections.get(kind) or {}
        value = document.get(name)
        if isinstance(value, dict):
            value = " ".join(str(v) for v in value.values() if v)
    return "" if value is None else str(value)


def _declaration_attribute(svc: Services, subject: Subject, name: str) -> Any:
    row = subject.declaration
    if name == "state":
        return workflow.state_title(svc, row["state"])
    if name == "schema_version":
        return str(row["schema_hash"] or "")[:8]
    if name == "holder":
        return subject.org_names.get(row["holder_org_id"] or "", "")
    if name == "unit":
        return subject.org_names.get(row["unit_id"] or "", "")
    return row.get(name)


def _certificate_attribute(svc: Services, subject: Subject, name: str) -> Any:
    row = subject.declaration
    if name == "no":
        return row["certificate_no"]
    if name == "date":
        return local_date(svc, row["state_since"] or row["updated_at"])
    if name == "committee":  # COM-1: the committee of the organiser for the series × level
        chain = loads(row["chain"], [])
        if not chain:
            return ""
        organiser = chain[-1]
        name_of = subject.org_names.get(organiser, "")
        return committee_policy.committee_name(svc, organiser, name_of, row["series"] or "", row["level"] or "")
    if name == "issuer":  # the issuing authority of the policy, not the committee
        return committee_policy.issuer_name(svc)
    return None


def local_date(svc: Services, stamp: str | None) -> str:
    if not stamp:
        return ""
    moment = parse(stamp).astimezone(svc.clock.zone)
    return svc.bundle.text("print_date", year=moment.year, month=moment.month, day=moment.day)


def printed_at(svc: Services) -> str:
    return svc.clock.now().strftime("%Y-%m-%d %H:%M")


def _items(svc: Services, subject: Subject, items: list[Any], when: str) -> list[dict[str, str]]:
    result = []
    for item in items:
        if isinstance(item, dict):
            title, source = str(item.get("title", "")), str(item["source"])
        else:
            title, source = "", str(item)
        value = source_value(svc, subject, source, printed_at=when)
        if isinstance(item, dict) and item.get("mask") == "last4":
            value = mask_last4(value)
        result.append({"title": title, "value": value, "source": source})
    return result


def mask_last4(value: str) -> str:
    """Every character but the last four as *."""
    return "*" * max(0, len(value) - 4) + value[-4:]


def _base_context(
    svc: Services, spec: dict[str, Any], *, numbered: bool = True, footer: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    orientation = "landscape" if spec.get("orientation") == "landscape" else "portrait"
    item = str(svc.bundle.ui.get("print_footer_item", "{title} {value}"))
    texts = [item.format(title=i["title"], value=i["value"]) for i in footer or []]
    return {
        "ui": svc.bundle.ui,
        "title": spec.get("title", ""),
        "page_css": page_css(orientation, svc.bundle.ui.get("print_page") if numbered else None, texts),
        "footer": footer or [],
    }


# -- review form (PRN-1) -----------------------------------------------------------------


def review_form(svc: Services, declaration: Declaration) -> dict[str, Any]:
    """The whole declaration, every section in schema order through its generated template."""
    svc = versions.scoped(svc, declaration)  # printed as its own version lays it out (VER-1)
    spec = dict(svc.bundle.print[REVIEW_FORM])
    subject = load_subjects(svc, [declaration])[0]
    when = printed_at(svc)
    forms = section_forms(svc, spec)
    files: dict[str, list[dict[str, Any]]] = {}
    if spec.get("attachments"):
        for attachment in uploads.for_declaration(svc, declaration["id"]):
            files.setdefault(attachment["section_id"], []).append(attachment)
    sections = []
    for form in forms:
        listed = None
        if spec.get("attachments"):
            listed = [
                {
                    "kind_title": (form.upload(a["kind"]) or {}).get("title", a["kind"]),
                    "filename": a["filename"],
                    "row": a["row"],  # its row's position now, whatever was deleted or reordered
                    "row_label": a.get("row_label", ""),
                    "uploaded": _minutes(svc, a["created_at"]),
                }
                for a in files.get(form.id, [])
            ]
        sections.append(
            {
                "form": form,
                "doc": subject.sections.get(form.id, {}),
                "attachments": listed,
                "template": f"print/{REVIEW_FORM}/{form.id}.html",
            }
        )
    footer = _items(svc, subject, list(spec.get("footer") or []), when)
    return {
        **_base_context(svc, spec, footer=footer),
        "person": _items(svc, subject, list(spec.get("fields") or []), when),
        "sections": sections,
    }


def _minutes(svc: Services, stamp: str | None) -> str:
    if not stamp:
        return ""
    return parse(stamp).astimezone(svc.clock.zone).strftime("%Y-%m-%d %H:%M")


# -- e-certificate (CERT-1) --------------------------------------------------------------


def issued(svc: Services, declaration: Declaration) -> bool:
    """A certificate exists once the committee passed the declaration: a number was given and
    the declaration reached a final state."""
    state = workflow.definition(svc)["states"].get(declaration["state"]) or {}
    return bool(declaration["certificate_no"]) and bool(state.get("final"))


def certificate_declaration(svc: Services, declaration_id: str, account: Account) -> Declaration:
    """The declaration whose certificate this account may download, or 404: its holder and the
    organisations that handled it, and only after a pass."""
    declaration = declarations.load(svc, declaration_id, account)
    if not issued(svc, declaration):
        raise declarations.not_found(svc)
    return declaration


def certificate(svc: Services, declaration: Declaration, verify_url: str) -> dict[str, Any]:
    import segno

    svc = versions.scoped(svc, declaration)
    spec = dict(svc.bundle.print[CERTIFICATE])
    subject = load_subjects(svc, [declaration], {declarations.HEADER})[0]
    when = printed_at(svc)
    qr = segno.make(verify_url, error="m").svg_data_uri(scale=4, border=2)
    return {
        **_base_context(svc, spec, numbered=False),
        "fields": _items(svc, subject, list(spec.get("fields") or []), when),
        "qr": qr,
        "verify_url": verify_url,
    }


def verify_path(svc: Services, certificate_no: str) -> str:
    template = str(svc.bundle.print[CERTIFICATE].get("verify_path") or "/verify/{no}")
    return template.replace("{no}", certificate_no)


def verify(svc: Services, certificate_no: str) -> list[dict[str, str]] | None:
    """The few public facts of a genuine certificate, or None."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", certificate_no or ""):
        return None
    found = svc.storage.one("SELECT * FROM declarations WHERE certificate_no = ?", (certificate_no,))
    row = declaration_row(found) if found else None
    if row is None or not issued(svc, row):
        return None
    subject = load_subjects(svc, [row], {declarations.HEADER})[0]
    fields = [f for f in svc.bundle.print[CERTIFICATE].get("fields") or [] if f.get("source") in VERIFY_SOURCES]
    return [
        {"title": f["title"], "value": source_value(svc, subject, f["source"]), "source": f["source"]} for f in fields
    ]
