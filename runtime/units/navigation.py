"""The organisation menu and page frame shared by every page an organisation account sees
(review, reports, paths, overview, permissions)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from runtime.committee import policy as committee_policy
from runtime.storage.rows import Account
from runtime.units import staff, units
from runtime.web.forms import page_account
from runtime.web.http import Services, render, services


def org_nav(svc: Services, account: Account) -> list[dict[str, str]]:
    """The organisation menu: what this account can reach."""
    items = [
        ("/review", "nav_review"),
        ("/reports", "nav_report"),
        ("/overview", "overview"),
        ("/paths", "nav_paths"),
        ("/routing", "nav_routing"),
    ]
    org = units.organisation(svc, account["org_id"])
    if org and not org["authority"]:
        items.append(("/units/permission", "nav_permission"))
        items.append(("/units/corrections", "nav_corrections"))
    if account["role"] == units.HR_ROLE and org and units.HR_KIND in units.kinds(org):
        items.append(("/permission-requests", "nav_permission_requests"))
        items.append(("/audit", "nav_audit"))
        items.append(("/units/corrections", "nav_corrections"))
    items += committee_policy.nav(svc, account)  # COM-5, INT-2, STAT-1
    if staff.is_admin(svc, account):
        items.append(("/staff", "nav_staff"))
    items.append(("/me/totp", "nav_totp"))
    items.append(("/password", "nav_password"))
    return [{"href": href, "title": svc.bundle.text(key)} for href, key in items]


def org_page(request: Request) -> Account:
    """The logged-in organisation account (people get 403)."""
    return page_account(request, person=False)


def render_org(request: Request, template: str, account: Account, status: int = 200, **context: Any) -> Response:
    return render(request, template, status=status, nav=org_nav(services(request), account), **context)
