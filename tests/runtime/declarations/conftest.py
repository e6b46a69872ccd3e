"""The applicant world (tests/runtime/applicant_fixtures.py): a real app on a real SQLite file."""

from applicant_fixtures import applicant, filled, unit_id, world

__all__ = ["applicant", "filled", "unit_id", "world"]
