"""Every page carries a strict Content Security Policy and the usual security headers, and
no page needs an exception to it (no inline scripts, handlers or style attributes)."""

import re

import pytest

from registrations.services import signup_create
from tests.factories import person

pytestmark = pytest.mark.django_db

PAGES = ["/", "/en/", "/arrangor/logga-in/", "/admin/login/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_a_strict_csp_and_security_headers(client, path, open_event):
    response = client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path", ["/", "/traffar/{event}/", "/anmalan/?event={event}", "/anmalan/{token}/", "/arrangor/"]
)
def test_pages_need_no_inline_script_or_style(organiser_client, path, open_event):
    [signed_up] = signup_create(person=person(), event_ids=[open_event.id])
    url = path.format(event=open_event.id, token=signed_up.manage_token)
    response = organiser_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "style attribute"


def test_the_api_docs_allow_swagger_ui_its_inline_styles_only(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self'" in policy
    assert "cdn" not in response.content.decode()  # Swagger UI comes from our own static files
