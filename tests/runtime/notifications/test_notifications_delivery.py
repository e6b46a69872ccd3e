"""SMS leave after the action committed, through the gateway, retried when it fails and held back
when a person got too many in an hour; the action never waits for them or fails with them."""

from __future__ import annotations

from typing import Any

import pytest
from chain_helpers import World
from notification_helpers import messages, mobile_of, sms_to
from test_notifications_kinds import city_unit, submitted

from runtime.notifications import delivery, outbox, wiring


class FlakyGateway:
    """An SMS gateway that refuses the first `failures` messages, then hands over to the dev outbox."""

    def __init__(self, world: World, failures: int) -> None:
        self.failures = failures
        self.inner = delivery.DevOutbox(world.svc.storage, world.svc.clock)

    def send(self, mobile: str, text: str) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("gateway unreachable")
        self.inner.send(mobile, text)


def sms_policy(world: World) -> dict[str, Any]:
    found: dict[str, Any] = outbox.policy(world.svc)["sms"]
    return found


def queued(world: World, account_id: str) -> list[dict[str, Any]]:
    return world.all("SELECT * FROM sms_outbox WHERE account_id = ? ORDER BY id", (account_id,))


def test_a_failing_gateway_neither_blocks_the_action_nor_loses_the_sms(world: World) -> None:
    unit, _ = city_unit(world)
    applicant, declaration = submitted(world, unit)
    world.svc.extras["sms_gateway"] = FlakyGateway(world, failures=1)
    returned = unit.return_(declaration, "请补充继续教育证明")
    assert returned.status_code == 200  # the return is saved although its SMS failed
    assert messages(world, applicant.account_id, "return")  # the message list has it anyway
    row = queued(world, applicant.account_id)[-1]
    assert (row["state"], row["attempts"]) == ("pending", 1) and "unreachable" in row["last_error"]
    assert sms_to(world, mobile_of(world, applicant.account_id)) == []

    world.svc.clock.advance(minutes=sms_policy(world)["retry_minutes"])
    assert delivery.deliver_due(world.svc) >= 1
    row = queued(world, applicant.account_id)[-1]
    assert (row["state"], row["attempts"]) == ("sent", 2)
    assert row["text"] in sms_to(world, mobile_of(world, applicant.account_id))


def test_an_sms_is_not_retried_before_its_wait_and_gives_up_after_its_attempts(world: World) -> None:
    attempts, retry = sms_policy(world)["attempts"], sms_policy(world)["retry_minutes"]
    unit, _ = city_unit(world)
    applicant, declaration = submitted(world, unit)
    world.svc.extras["sms_gateway"] = FlakyGateway(world, failures=attempts + 10)
    assert unit.return_(declaration, "请核对工作经历").status_code == 200
    assert queued(world, applicant.account_id)[-1]["attempts"] == 1
    assert delivery.deliver_due(world.svc) == 0  # not due yet: no second attempt at once
    assert queued(world, applicant.account_id)[-1]["attempts"] == 1
    for tried in range(2, attempts + 1):
        world.svc.clock.advance(minutes=retry * 2 ** (tried - 2))
        delivery.deliver_due(world.svc)
        assert queued(world, applicant.account_id)[-1]["attempts"] == tried
    assert queued(world, applicant.account_id)[-1]["state"] == "failed"
    world.svc.clock.advance(days=1)
    delivery.deliver_due(world.svc)
    assert queued(world, applicant.account_id)[-1]["attempts"] == attempts


def test_a_person_gets_at_most_the_hourly_number_of_sms_and_the_rest_an_hour_later(world: World) -> None:
    unit, _ = city_unit(world)
    limit = sms_policy(world)["max_per_hour"]
    account = world.one("SELECT * FROM accounts WHERE id = ?", (unit.account_id,))
    with world.svc.storage.transaction():
        for n in range(limit + 2):
            outbox.notify(world.svc, "submit", {"holder": [account]}, {"applicant": f"申报人{n}"}, {})
    delivery.deliver_due(world.svc)
    states = [r["state"] for r in queued(world, unit.account_id)]  # with the path decision's SMS before
    assert states.count("sent") == limit and states.count("pending") == len(states) - limit >= 2
    assert len(messages(world, unit.account_id, "submit")) == limit + 2  # the list is never held back

    world.svc.clock.advance(minutes=30)
    delivery.deliver_due(world.svc)
    assert [r["state"] for r in queued(world, unit.account_id)].count("sent") == limit
    world.svc.clock.advance(minutes=31)
    delivery.deliver_due(world.svc)
    assert [r["state"] for r in queued(world, unit.account_id)].count("sent") == len(states)


def test_sms_are_sent_once_even_when_delivery_runs_twice(world: World) -> None:
    unit, _ = city_unit(world)
    applicant, declaration = submitted(world, unit)
    assert unit.return_(declaration, "请补充附件").status_code == 200
    delivery.deliver_due(world.svc)
    delivery.deliver_due(world.svc)
    texts = sms_to(world, mobile_of(world, applicant.account_id))
    assert len(texts) == len(set(texts)) == len(queued(world, applicant.account_id))


def test_after_a_response_the_outbox_is_read_when_this_process_queued_else_once_a_second(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request that queued an SMS sends it after its answer; any other request reads the
    outbox at most once every CHECK_SECONDS, so a retry that fell due waits for that check."""
    now = [100.0]
    monkeypatch.setattr(wiring.DeliverAfterResponse, "monotonic", staticmethod(lambda: now[0]))
    unit, _ = city_unit(world)
    applicant, declaration = submitted(world, unit)
    world.svc.extras["sms_gateway"] = FlakyGateway(world, failures=1)
    assert world.client.get("/help").status_code == 200  # the check of this second
    assert unit.return_(declaration, "请补充继续教育证明").status_code == 200  # queued: tried at once
    assert (queued(world, applicant.account_id)[-1]["attempts"]) == 1

    world.svc.clock.advance(minutes=sms_policy(world)["retry_minutes"])  # the retry is due
    now[0] += wiring.DeliverAfterResponse.CHECK_SECONDS / 2
    world.client.get("/help")
    assert queued(world, applicant.account_id)[-1]["state"] == "pending"  # not read again yet
    now[0] += wiring.DeliverAfterResponse.CHECK_SECONDS
    world.client.get("/help")
    row = queued(world, applicant.account_id)[-1]
    assert (row["state"], row["attempts"]) == ("sent", 2)
