"""电子证书 (CERT-1): only after a pass, only for its holder and the organisations that handled
it; a public page confirms a genuine certificate number and says not found for a made-up one."""

from __future__ import annotations

import segno
from documents_helpers import ID_NUMBER, RARE_NAME, World, full_sections, pdf_text
from runtime_support import build_json, message

from runtime.committee import policy as committee_policy
from runtime.documents import documents

NUMBER = "WH2026ZC000123"


def passed(world: World, unit: str, committee: str, **changes: object) -> tuple[str, str]:
    person = world.person(id_number=ID_NUMBER)
    options: dict[str, object] = {"state": "approved", "certificate_no": NUMBER, **changes}
    declaration = world.declaration(person, full_sections(unit), chain=[unit, committee], **options)  # type: ignore[arg-type]
    return person, declaration


def test_the_holder_downloads_a_certificate_with_every_field_and_the_id_number_masked(
    world: World, unit: str, committee: str
) -> None:
    person, declaration = passed(world, unit, committee)
    response = world.client.get(f"/api/v1/declarations/{declaration}/certificate.pdf", headers=world.bearer(person))
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert build_json("print.json")["certificate"]["title"] in text
    assert NUMBER in text and RARE_NAME in text
    assert "**************1237" in text and ID_NUMBER not in text
    assert "馆员" in text and "档案" in text and "中级" in text
    svc = world.client.app.state.services  # type: ignore[attr-defined]
    # the committee (COM-1: named by committee.yaml for the organiser's series × level), the
    # issuing authority of the policy, and the verify link from the configured public address
    assert committee_policy.committee_name(svc, committee, "威海市档案局", "档案", "中级") in text
    assert committee_policy.issuer_name(svc) in text
    assert "2026年11月10日" in text
    assert svc.bundle.platform["public_base_url"] + f"/verify/{NUMBER}" in text


def test_the_qr_code_points_at_the_public_verification_page(world: World, unit: str, committee: str) -> None:
    _, declaration = passed(world, unit, committee)
    svc = world.client.app.state.services  # type: ignore[attr-defined]
    row = svc.storage.one("SELECT * FROM declarations WHERE id = ?", (declaration,))
    url = "https://zc.example/verify/" + NUMBER
    context = documents.certificate(svc, row, url)
    assert context["qr"] == segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    assert context["qr"].startswith("data:image/svg+xml")


def test_the_certificate_page_path_serves_the_holder_logged_in_in_the_browser(
    world: World, unit: str, committee: str
) -> None:
    person, declaration = passed(world, unit, committee)
    response = world.browser(person).get(f"/declarations/{declaration}/certificate.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    listing = world.browser(person).get("/declarations")
    assert f"/declarations/{declaration}/certificate.pdf" in listing.text


def test_the_organisations_that_handled_it_may_download_it_too(world: World, unit: str, committee: str) -> None:
    _, declaration = passed(world, unit, committee)
    for org in (unit, committee):
        response = world.client.get(
            f"/api/v1/declarations/{declaration}/certificate.pdf", headers=world.bearer(world.org_account(org))
        )
        assert response.status_code == 200


def test_nobody_else_gets_a_certificate(world: World, unit: str, committee: str) -> None:
    _, declaration = passed(world, unit, committee)
    url = f"/api/v1/declarations/{declaration}/certificate.pdf"
    for headers in (
        world.bearer(world.person(name="王五")),
        world.bearer(world.org_account(world.org("威海市其他单位"))),
    ):
        assert world.client.get(url, headers=headers).status_code == 404
    assert world.client.get(url).status_code == 401
    assert (
        world.browser(world.person(name="赵六")).get(f"/declarations/{declaration}/certificate.pdf").status_code == 404
    )


def test_there_is_no_certificate_before_a_pass(world: World, unit: str, committee: str) -> None:
    cases = [
        {"state": "passed", "certificate_no": None},  # reviewed, not yet decided by the committee
        {"state": "submitted", "certificate_no": None},
        {"state": "rejected", "certificate_no": None},
        {"state": "approved", "certificate_no": None},  # no number given
        {"state": "passed", "certificate_no": "WH2026ZC999999"},  # a number, but not final
    ]
    for case in cases:
        person = world.person()
        declaration = world.declaration(person, full_sections(unit), chain=[unit, committee], **case)  # type: ignore[arg-type]
        response = world.client.get(f"/api/v1/declarations/{declaration}/certificate.pdf", headers=world.bearer(person))
        assert response.status_code == 404, case


def test_the_public_page_confirms_a_real_certificate_with_name_title_and_date_only(
    world: World, unit: str, committee: str
) -> None:
    passed(world, unit, committee)
    response = world.browser().get(f"/verify/{NUMBER}")
    assert response.status_code == 200
    page = response.text
    assert message("certificate_verified") in page
    assert RARE_NAME in page and "馆员" in page and "2026年11月10日" in page
    for private in (ID_NUMBER, "1237", "威海市示范档案服务中心", "13800000001", "档案管理"):
        assert private not in page


def test_the_public_page_says_not_found_for_a_made_up_number(world: World, unit: str, committee: str) -> None:
    passed(world, unit, committee, state="passed")  # not final: not a certificate yet
    for number in (NUMBER, "WH2026ZC000999", "x" * 65, "WH'; DROP TABLE declarations;--", "%2e%2e"):
        response = world.browser().get(f"/verify/{number}")
        assert response.status_code == 404, number
        assert message("certificate_not_found") in response.text
