"""Working days (PUB-3): the State Council's holiday arrangement from `chinese-calendar`,
replaced year by year by schemas/calendar.yaml. A year known to neither is refused,
naming the year, rather than guessed: a publicity period counted on weekdays alone
would end before the days the law asks for."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from runtime.web.http import HttpError, Services


def is_working_day(svc: Services, day: date) -> bool:
    override = (svc.bundle.calendar.get("years") or {}).get(str(day.year))
    if override is not None:
        text = day.isoformat()
        if text in (override.get("workdays") or []):
            return True
        if text in (override.get("holidays") or []):
            return False
        return day.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise HttpError(
            409, "calendar_unknown", svc.bundle.text("calendar_unknown", year=day.year), extra={"year": day.year}
        ) from exc


def between(svc: Services, start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (the day something starts does
    not count: a publicity started on Monday has its first full day on Tuesday)."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(svc, current):
            days += 1
    return days


def add(svc: Services, start: date, count: int) -> date:
    """The day on which `count` working days after `start` are complete."""
    current = start
    done = 0
    while done < count:
        current += timedelta(days=1)
        if is_working_day(svc, current):
            done += 1
    return current
