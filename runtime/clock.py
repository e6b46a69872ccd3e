"""Time, injectable: tests move it forward to watch a lock expire."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone


class Clock:
    def __init__(self, utc_offset_hours: int = 0) -> None:
        self.zone = timezone(timedelta(hours=utc_offset_hours))
        self._shift = timedelta()
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        base = self._frozen if self._frozen is not None else datetime.now(UTC)
        return (base + self._shift).astimezone(self.zone)

    def today(self) -> date:
        return self.now().date()

    def advance(self, **delta: float) -> None:
        self._shift += timedelta(**delta)

    def freeze(self, moment: datetime) -> None:
        self._frozen = moment
        self._shift = timedelta()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)
