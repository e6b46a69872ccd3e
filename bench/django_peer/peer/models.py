"""A declaration owned by a person, and its administrative-post section (one row each)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

YEAR_MONTH = RegexValidator(r"^\d{4}\.(0[1-9]|1[0-2])$", "YYYY.MM, e.g. 2019.03")


class Declaration(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    state = models.CharField(max_length=32, default="draft")
    version = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class AdminPost(models.Model):
    declaration = models.OneToOneField(Declaration, on_delete=models.CASCADE, primary_key=True)
    post = models.CharField("post", max_length=60, blank=True)
    since = models.CharField("since", max_length=7, blank=True, validators=[YEAR_MONTH])
