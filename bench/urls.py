"""The site's URLs plus a baseline endpoint: a ninja POST that does one INSERT and nothing else."""

import uuid

from django.urls import path
from ninja import NinjaAPI, Schema

from config.urls import urlpatterns as site_urlpatterns
from events.models import Theme
from registrations.models import ThemeInterest

baseline = NinjaAPI(urls_namespace="bench", docs_url=None, openapi_url=None)


class BaselineIn(Schema):
    email: str


@baseline.post("/insert", response={201: dict})
def insert(request, payload: BaselineIn):
    theme_id = Theme.objects.values_list("id", flat=True).first()
    row = ThemeInterest.objects.create(theme_id=theme_id, email=f"{uuid.uuid4().hex}-{payload.email}")
    return 201, {"id": row.id}


urlpatterns = [path("bench/", baseline.urls), *site_urlpatterns]
