"""Certificates after issuance (CERT-1, COM-5): numbers with a random part, the verify link
from the configured public address whatever Host a request names, the issuing authority on
the certificate, revocation with a reason, and a throttle on the public check."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from documents_helpers import ID_NUMBER, World, full_sections, pdf_text
from runtime_support import certificate_number, csrf_of, id_number, message
from starlette.testclient import TestClient

from runtime.committee import certificates, policy


def issued(world: World, unit: str, committee: str, svc: Any) -> tuple[str, str, str]:
    """A passed declaration with a certificate numbered the way the runtime numbers them."""
    person = world.person(id_number=ID_NUMBER)
    number = certificates.new_number(svc, 2026)
    declaration = world.declaration(
        person, full_sections(unit), chain=[unit, committee], state="approved", certificate_no=number, holder=committee
    )
    return person, declaration, number


def test_certificate_numbers_carry_the_policy_prefix_and_a_random_part(svc: Any) -> None:
    pattern = certificate_number(svc.bundle.committee, 2026)
    numbers = [certificates.new_number(svc, 2026) for _ in range(300)]
    assert all(pattern.fullmatch(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert numbers != sorted(numbers)  # issued one after another, they do not count up


def test_a_request_naming_another_host_does_not_change_the_printed_link(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    person, declaration, number = issued(world, unit, committee, svc)
    response = world.client.get(
        f"/api/v1/declarations/{declaration}/certificate.pdf",
        headers={**world.bearer(person), "Host": "evil.example.com"},
    )
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert "evil.example.com" not in text
    assert svc.bundle.platform["public_base_url"] + f"/verify/{number}" in text
    assert certificates.verify_url(svc, number).startswith(svc.bundle.platform["public_base_url"])


def test_the_certificate_names_the_issuing_authority_of_the_policy(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    person, declaration, _ = issued(world, unit, committee, svc)
    text = pdf_text(
        world.client.get(f"/api/v1/declarations/{declaration}/certificate.pdf", headers=world.bearer(person)).content
    )
    authority = svc.bundle.committee["certificates"]["issuing_authority"]
    expected = next(a["name"] for a in svc.bundle.platform["authorities"] if a["id"] == authority)
    assert policy.issuer_name(svc) == expected
    assert "发证机关" + expected in text


def test_the_issuing_office_revokes_a_certificate_and_verify_says_since_when(
    world: World, unit: str, committee: str, svc: Any, clock: Any
) -> None:
    person, declaration, number = issued(world, unit, committee, svc)
    office = world.bearer(world.org_account(committee, role="committee_office"))
    assert message("certificate_verified") in world.browser().get(f"/verify/{number}").text

    revoked = world.client.post(
        f"/api/v1/certificates/{number}/revoke", json={"reason": "提供虚假论文材料"}, headers=office
    )
    assert revoked.status_code == 200, revoked.text
    page = world.browser().get(f"/verify/{number}")
    since = clock.now().strftime("%Y-%m-%d %H:%M")
    assert page.status_code == 200
    assert svc.bundle.text("certificate_revoked_since", since=since) in page.text
    assert message("certificate_verified") not in page.text and "虚假" not in page.text  # the reason stays internal
    again = world.client.post(f"/api/v1/certificates/{number}/revoke", json={"reason": "再次"}, headers=office)
    assert again.status_code == 409
    download = world.client.get(f"/api/v1/declarations/{declaration}/certificate.pdf", headers=world.bearer(person))
    assert download.status_code == 410
    audit = world.one("SELECT * FROM audit WHERE action = 'revoke_certificate' AND target = ?", (declaration,))
    assert audit and "提供虚假论文材料" in audit["detail"]


def test_revocation_needs_a_reason_the_issuing_office_and_a_real_number(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    _, _, number = issued(world, unit, committee, svc)
    office = world.bearer(world.org_account(committee, role="committee_office"))
    limit = svc.bundle.committee["certificates"]["reason_max_length"]
    for reason in ("", "   ", "理" * (limit + 1), 5, None):
        answer = world.client.post(f"/api/v1/certificates/{number}/revoke", json={"reason": reason}, headers=office)
        assert answer.status_code == 422, reason
        assert answer.json()["errors"][0]["path"] == "/reason"
    unit_reviewer = world.bearer(world.org_account(unit))
    assert (
        world.client.post(
            f"/api/v1/certificates/{number}/revoke", json={"reason": "x"}, headers=unit_reviewer
        ).status_code
        == 403
    )
    stranger = world.bearer(
        world.org_account(world.org("威海市其他档案局", kinds=("department",)), role="committee_office")
    )
    for target in (number, "WH2026ZCNOTANUMBER", "x" * 80):
        answer = world.client.post(f"/api/v1/certificates/{target}/revoke", json={"reason": "x"}, headers=stranger)
        assert answer.status_code == 404
    assert world.client.post(f"/api/v1/certificates/{number}/revoke", json={"reason": "x"}).status_code == 401
    assert world.one("SELECT COUNT(*) AS n FROM certificate_revocations")["n"] == 0


def test_the_certificates_page_revokes_with_a_form_and_csrf(world: World, unit: str, committee: str, svc: Any) -> None:
    _, _, number = issued(world, unit, committee, svc)
    browser = world.browser(world.org_account(committee, role="committee_office"))
    page = browser.get("/certificates")
    assert page.status_code == 200 and number in page.text
    refused = browser.post(f"/certificates/{number}/revoke", data={"reason": "伪造证书"})
    assert refused.status_code == 403
    done = browser.post(f"/certificates/{number}/revoke", data={"reason": "伪造证书", "csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and svc.bundle.text("certificate_revoked_done") in done.text
    assert message("certificate_revoked_at") in done.text
    assert world.browser(world.org_account(unit)).get("/certificates").text.count(number) == 0


def test_the_public_check_is_throttled_per_address_and_frees_up_after_the_window(
    world: World, unit: str, committee: str, svc: Any, clock: Any
) -> None:
    _, _, number = issued(world, unit, committee, svc)
    spec = svc.bundle.committee["certificates"]
    prober = TestClient(world.client.app, client=("203.0.113.7", 4000))
    for i in range(spec["verify_per_address"]):
        guess = number if i == 0 else f"WH2026ZC{i:010d}"
        assert prober.get(f"/verify/{guess}").status_code in (200, 404)
    refused = prober.get(f"/verify/{number}")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert svc.bundle.text("verify_throttled") in refused.text
    other = TestClient(world.client.app, client=("198.51.100.9", 4000))
    assert other.get(f"/verify/{number}").status_code == 200
    clock.advance(minutes=spec["verify_window_minutes"] + 1)
    assert prober.get(f"/verify/{number}").status_code == 200


def test_my_declarations_stops_offering_the_download_once_the_certificate_is_revoked(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    person, declaration, number = issued(world, unit, committee, svc)
    link = f'href="/declarations/{declaration}/certificate.pdf"'
    before = world.browser(person).get("/declarations").text
    assert link in before and svc.bundle.text("download_certificate") in before
    office = world.bearer(world.org_account(committee, role="committee_office"))
    assert world.client.post(
        f"/api/v1/certificates/{number}/revoke", json={"reason": "伪造"}, headers=office
    ).is_success
    after = world.browser(person).get("/declarations").text
    assert link not in after and svc.bundle.text("download_certificate") not in after
    assert svc.bundle.text("certificate_revoked_short") in after


def issued_many(world: World, unit: str, committee: str, svc: Any, count: int) -> list[str]:
    """`count` certificates of one office, some of them finished at the same instant; newest
    first, ties by the larger id, as the list orders them."""
    made = []
    for n in range(count):
        person = world.person(id_number=id_number(sequence=200 + n))
        since = f"2026-0{1 + n % 3}-15T09:00:00+08:00"
        declaration = world.declaration(
            person,
            full_sections(unit),
            chain=[unit, committee],
            state="approved",
            certificate_no=certificates.new_number(svc, 2026),
            holder=committee,
            state_since=since,
        )
        made.append((since, declaration))
    return [d for _, d in sorted(made, reverse=True)]


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_the_issued_certificates_come_in_keyset_pages(
    world: World, unit: str, committee: str, svc: Any, limit: int
) -> None:
    expected = issued_many(world, unit, committee, svc, 7)
    office = world.bearer(world.org_account(committee, role="committee_office"))
    seen: list[str] = []
    cursor = ""
    while True:
        page = world.client.get("/api/v1/certificates", params={"limit": limit, "cursor": cursor}, headers=office)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["certificates"]) <= limit
        seen += [c["declaration_id"] for c in body["certificates"]]
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert seen == expected
    too_many = world.client.get("/api/v1/certificates", params={"limit": 10**6}, headers=office)
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["code"] == "list_limit_invalid"
    bad = world.client.get("/api/v1/certificates", params={"cursor": "%%%"}, headers=office)
    assert bad.status_code == 422 and bad.json()["errors"][0]["message"] == message("list_cursor_invalid")


def test_the_certificates_page_links_to_its_next_page(world: World, unit: str, committee: str, svc: Any) -> None:
    size = int(svc.bundle.platform["lists"]["page_size"])
    expected = issued_many(world, unit, committee, svc, size + 1)
    numbers = {r["id"]: r["certificate_no"] for r in svc.storage.all("SELECT id, certificate_no FROM declarations")}
    browser = world.browser(world.org_account(committee, role="committee_office"))
    first = browser.get("/certificates")
    assert re.findall(r'<tr id="certificate-([^"]+)"', first.text) == [numbers[d] for d in expected[:size]]
    link = re.search(r'<a href="(/certificates\?cursor=[^"]+)" rel="next">', first.text)
    assert link, "no link to the next page"
    second = browser.get(html.unescape(link.group(1)))
    assert re.findall(r'<tr id="certificate-([^"]+)"', second.text) == [numbers[expected[-1]]]
    assert 'rel="first"' not in first.text and '<a href="/certificates" rel="first">' in second.text
    limit = int(policy.number(svc, certificates.BLOCK, "reason_max_length"))
    assert f'maxlength="{limit}"' in first.text
