"""The OpenAPI document describes every applicant API path and verb (API.md)."""

from __future__ import annotations

import pytest
from applicant_helpers import World
from starlette.routing import Route

from runtime.accounts import api as api_accounts
from runtime.app import routes
from runtime.declarations import api as api_declarations


@pytest.mark.parametrize("module", [api_accounts, api_declarations])
def test_every_applicant_api_route_is_in_the_openapi_document(world: World, module: object) -> None:
    document = world.client.get("/api/v1/openapi.json").json()
    for route in module.routes():  # type: ignore[attr-defined]
        assert isinstance(route, Route)
        described = document["paths"].get(route.path)
        assert described is not None, route.path
        for method in route.methods or ():
            if method != "HEAD":
                assert method.lower() in described, (method, route.path)


def test_every_api_route_of_the_app_is_in_the_openapi_document(world: World) -> None:
    document = world.client.get("/api/v1/openapi.json").json()
    for route in routes():
        if not isinstance(route, Route) or not route.path.startswith("/api/"):
            continue
        described = document["paths"].get(route.path.replace("{form_id:path}", "{form_id}"))
        assert described is not None, route.path
        for method in route.methods or ():
            if method != "HEAD":
                assert method.lower() in described, (method, route.path)


def test_the_names_the_runtime_uses_are_the_checked_contract_names() -> None:
    from runtime.review import review
    from runtime.units import units
    from vocabulary.terms import CONTRACT_ORG_KINDS, CONTRACT_ROLES, CONTRACT_TRANSITIONS

    assert {review.PASS, review.RETURN, review.REPORT, *review.RESULT.values()} <= set(CONTRACT_TRANSITIONS)
    assert {units.UNIT_ROLE, units.HR_ROLE, *units.STAFF_ROLES} <= set(CONTRACT_ROLES)
    assert {*units.UNIT_KINDS, units.HR_KIND, units.SUPERVISOR_KIND} <= set(CONTRACT_ORG_KINDS)
