"""The API's docs page in real headless Chromium (Debian's, driven by Playwright): Swagger UI
reads /api/openapi.json (a document with a repeated key makes it show "Parser error" instead)
and lists every operation."""

import json
import shutil

import pytest

from tests.e2e.browser import CHROMIUM

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]


def test_the_docs_page_renders_the_document_and_lists_every_operation(live_server, chromium, client):
    document = json.loads(client.get("/api/openapi.json").content)
    operations = {(method.upper(), path) for path, methods in document["paths"].items() for method in methods}
    page = chromium.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/api/docs")
    page.locator(".opblock").first.wait_for()

    shown = {
        (
            block.locator(".opblock-summary-method").inner_text().strip(),
            block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in page.locator(".opblock").all()
    }
    text = page.locator("body").inner_text()
    assert "Parser error" not in text
    assert "Unable to render this definition" not in text
    assert page.locator(".info .title").inner_text().startswith("Träffpunkt API")
    assert shown == operations
    assert not errors
    page.close()
