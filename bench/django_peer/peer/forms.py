"""The section's rules as a ModelForm: lengths and format from the model, the conditional
required field (a post needs its start) in clean()."""

from __future__ import annotations

from typing import Any

from django import forms

from peer.models import AdminPost

NONE = "\u65e0"  # the "none" answer the platform's form accepts for the post


class AdminPostForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AdminPost
        fields = ("post", "since")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("post") not in ("", None, NONE) and not data.get("since"):
            self.add_error("since", "required when a post is given")
        return data
