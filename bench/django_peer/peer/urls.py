from __future__ import annotations

from django.urls import path

from peer import views

urlpatterns = [path("declarations/<str:declaration_id>/sections/admin_post", views.section)]
