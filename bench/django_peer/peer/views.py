"""One view: the section page of the signed-in person's own declaration, saved on POST. A POST
with autosave=1 (the page's script saving in the background, as the platform's does) answers
with the saved flag and the declaration's new version as JSON instead of the page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from peer.forms import AdminPostForm
from peer.models import AdminPost, Declaration


@login_required
def section(request: HttpRequest, declaration_id: str) -> HttpResponse:
    declaration = get_object_or_404(Declaration, id=declaration_id, person=request.user)  # ownership: 404
    instance = AdminPost.objects.filter(declaration=declaration).first() or AdminPost(declaration=declaration)
    saved, status = False, 200
    if request.method == "POST":
        form = AdminPostForm(request.POST, instance=instance)
        if form.is_valid():
            with transaction.atomic():
                form.save()
                changed = Declaration.objects.filter(pk=declaration.pk)
                changed.update(version=F("version") + 1, updated_at=timezone.now())
            saved = True
        else:
            status = 422
        if request.POST.get("autosave") == "1":
            version = Declaration.objects.values_list("version", flat=True).get(pk=declaration.pk)
            return JsonResponse({"saved": saved, "version": version}, status=status)
    else:
        form = AdminPostForm(instance=instance)
    context = {"form": form, "declaration": declaration, "saved": saved}
    return render(request, "peer/section.html", context, status=status)
