"""platform.yaml `passwords` and `totp_required_roles` (issue 13, finding 9): the roles exist,
and every password example is judged the way it is listed, by the same judge the runtime uses
(vocabulary.passwords), so policy staff see at build time what a min_score change does."""

from __future__ import annotations

from typing import Any

from generator.errors import suggest
from generator.model import Model
from vocabulary.passwords import password_problems


def check(model: Model) -> None:
    project = model.project
    doc = project.singles.get("platform")
    if doc is None or not isinstance(doc.data, dict):
        return
    data = doc.data
    roles = [str(r) for r in (data.get("roles") or {})]
    for i, role in enumerate(data.get("totp_required_roles") or []):
        if role not in roles:
            project.diag(
                "E420",
                doc,
                ("totp_required_roles", i),
                suggestion=suggest(role, roles),
                name=role,
                known=roles,
            )
    policy = data.get("passwords")
    if not isinstance(policy, dict):
        return
    examples = policy.get("examples") or {}
    for listed in ("valid", "invalid"):
        for j, example in enumerate(examples.get(listed) or []):
            password, personal = _example(example)
            judged = "invalid" if password_problems(password, policy, personal) else "valid"
            if judged != listed:
                project.diag(
                    "E421",
                    doc,
                    ("passwords", "examples", listed, j),
                    password=password,
                    listed=listed,
                    judged=judged,
                )


def _example(example: Any) -> tuple[str, dict[str, str | None]]:
    """A password example: a string, or {password, login_name, id_number}."""
    if isinstance(example, dict):
        personal = {k: str(v) for k, v in example.items() if k != "password"}
        return str(example.get("password", "")), dict(personal)
    return str(example), {}
