"""The site's own 404 and 500 pages: in its look and language, never a traceback."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.test import Client, RequestFactory
from django.urls import path
from django.views.defaults import server_error

from config.urls import urlpatterns as site_urlpatterns


def _broken_view(request):
    raise RuntimeError("a bug with secret details")


# For the test that goes through the whole stack: the site's URLs plus one view that fails.
urlpatterns = [*site_urlpatterns, *i18n_patterns(path("trasig/", _broken_view), prefix_default_language=False)]


@pytest.mark.django_db
def test_a_missing_page_is_the_sites_own_404_in_swedish_and_english(client, settings):
    assert settings.DEBUG is False

    swedish = client.get("/finns-inte/")
    english = client.get("/en/does-not-exist/")

    assert swedish.status_code == english.status_code == 404
    assert "<h1>Sidan finns inte</h1>" in swedish.text
    assert "<h1>Page not found</h1>" in english.text
    for page in (swedish.text, english.text):
        assert 'class="site-header"' in page and "css/site.css" in page
        assert "URLconf" not in page  # Django's debug page names it


def test_the_500_page_renders_with_an_empty_context_and_no_database():
    """As Django renders it: no request context, no context processors. Without the db
    fixture any query would fail this test."""
    response = server_error(RequestFactory().get("/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Något gick fel</h1>" in page
    assert 'class="site-header"' in page and "css/site.css" in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_error_in_a_view_shows_the_500_page_without_its_details():
    client = Client(raise_request_exception=False)

    swedish = client.get("/trasig/")
    english = client.get("/en/trasig/")

    assert swedish.status_code == english.status_code == 500
    assert "<h1>Något gick fel</h1>" in swedish.text
    assert "<h1>Something went wrong</h1>" in english.text
    for page in (swedish.text, english.text):
        assert "secret details" not in page and "Traceback" not in page
