"""The 常见问题 page (issue 17): every question of build/faq.json, each linkable by its anchor,
searchable with ?q= and filterable by audience without JavaScript; the login page links to it."""

from __future__ import annotations

import html
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route
from starlette.testclient import TestClient

from runtime.app import routes
from runtime.help.faq import MAX_QUERY
from vocabulary.pages import PAGES


def shown_ids(page: str) -> list[str]:
    return re.findall(r'<article class="card faq" id="faq-([a-z0-9_]+)"', page)


def all_ids(faq: dict[str, Any]) -> list[str]:
    return [q["id"] for q in faq["questions"]]


def distinctive_word(faq: dict[str, Any], target: dict[str, Any]) -> str:
    """Two characters of the target's question that no other question's search text holds."""
    text = target["question"]
    for i in range(len(text) - 1):
        word = text[i : i + 2].lower()
        if word.strip() and all(word not in q["search"] for q in faq["questions"] if q is not target):
            return word
    raise AssertionError(f"question {target['id']} shares every pair of characters with another")


def test_the_login_page_links_to_the_help_page(client: TestClient) -> None:
    page = client.get("/login").text
    assert re.search(r'<a href="/help"[^>]*>', page)


def test_the_help_page_shows_every_question_with_its_anchor_and_answer(client: TestClient, faq: dict[str, Any]) -> None:
    response = client.get("/help")
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert shown_ids(response.text) == all_ids(faq)
    for question in faq["questions"]:
        assert f'href="/help#faq-{question["id"]}"' in page
        assert question["question"] in page
        for paragraph in question["paragraphs"]:
            assert paragraph in page
        for link in question["links"]:
            assert f'<a href="{link["href"]}">{link["text"]}</a>' in page


def test_a_search_word_of_one_question_finds_it_and_only_the_questions_holding_it(
    client: TestClient, faq: dict[str, Any]
) -> None:
    for question in faq["questions"]:
        word = distinctive_word(faq, question)
        assert shown_ids(client.get("/help", params={"q": word}).text) == [question["id"]]


def test_every_word_of_a_query_must_match(client: TestClient, faq: dict[str, Any]) -> None:
    first, second = faq["questions"][0], faq["questions"][1]
    query = f"{distinctive_word(faq, first)} {distinctive_word(faq, second)}"
    page = client.get("/help", params={"q": query}).text
    assert shown_ids(page) == []
    assert client.app.state.services.bundle.text("faq_no_results") in html.unescape(page)  # type: ignore[attr-defined]


def test_the_audience_filter_shows_the_questions_for_that_audience(client: TestClient, faq: dict[str, Any]) -> None:
    for audience in faq["audiences"]:
        expected = [q["id"] for q in faq["questions"] if audience in q["audience"]]
        assert expected, f"no question for {audience}"
        assert shown_ids(client.get("/help", params={"for": audience}).text) == expected


def test_an_unknown_audience_shows_every_question(client: TestClient, faq: dict[str, Any]) -> None:
    assert shown_ids(client.get("/help", params={"for": "nobody"}).text) == all_ids(faq)


def test_an_overlong_query_is_cut_and_said_so(client: TestClient) -> None:
    response = client.get("/help", params={"q": "密" * (MAX_QUERY + 30)})
    assert response.status_code == 200
    limit_note = client.app.state.services.bundle.text("faq_query_too_long", limit=MAX_QUERY)  # type: ignore[attr-defined]
    assert limit_note in html.unescape(response.text)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(query=st.text(max_size=200))
def test_any_query_gets_a_page_never_an_error(client: TestClient, query: str) -> None:
    response = client.get("/help", params={"q": query, "for": query})
    assert response.status_code == 200


def test_every_page_a_policy_link_may_name_is_served() -> None:
    served = {r.path for r in routes() if isinstance(r, Route)}
    assert set(PAGES.values()) - served == set()


def test_every_faq_link_leads_to_a_page_not_a_404(client: TestClient, faq: dict[str, Any]) -> None:
    for question in faq["questions"]:
        for link in question["links"]:
            response = client.get(link["href"].split("#")[0], follow_redirects=False)
            assert response.status_code in (200, 303), link
