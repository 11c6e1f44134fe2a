"""Debian's Chromium through Playwright, for the browser tests (never a downloaded browser)."""

import pytest
from django.db import connections

from .browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def chromium(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are
    # still plain synchronous code, so Django's guard against async contexts does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls made inside Playwright's event loop get a connection of their own; closed
        # here, it cannot keep PostgreSQL from dropping the test database.
        connections.close_all()
