"""Check-in at the door in real headless Chromium (Debian's package, driven by Playwright;
no browser is ever downloaded): an organiser logs in on a phone-sized screen, opens a
meeting, checks in three people, adds a walk-in, and the database shows four attended."""

import shutil

import pytest
from openpyxl import load_workbook

from accounts.services import organiser_create
from registrations.models import Registration
from tests.e2e.browser import CHROMIUM
from tests.factories import EventFactory, RegistrationFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_organiser_checks_in_three_people_and_a_walk_in_on_a_phone_and_exports_the_list(live_server, phone, tmp_path):
    organiser_create(username="projektledare", password="door-password-123")
    event = EventFactory(title="Tematräff: Finansiering", past=True)
    people = [RegistrationFactory(event=event, name=name) for name in ("Anna Ek", "Bo Ström", "Cecilia Ås", "Dan Berg")]
    page = phone

    page.goto(f"{live_server.url}/arrangor/")
    assert "/arrangor/logga-in/" in page.url
    page.get_by_label("Användarnamn").fill("projektledare")
    page.get_by_label("Lösenord").fill("door-password-123")
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Tidigare").click()
    page.get_by_role("link", name="Tematräff: Finansiering").click()
    page.get_by_role("link", name="Incheckning").first.click()
    page.wait_for_url(f"**/arrangor/traffar/{event.id}/incheckning/")

    # Typing filters the list at once and tells a screen reader how many match.
    status = page.get_by_role("status")
    page.get_by_label("Hitta en person").fill("ström")
    assert status.text_content() == "1 person matchar."
    assert page.locator(f"#r-{people[0].id}").is_hidden()
    page.get_by_label("Hitta en person").fill("an")  # Anna Ek, Dan Berg
    assert status.text_content() == "2 personer matchar."
    page.get_by_label("Hitta en person").fill("")
    assert status.text_content() == ""

    for registration in people[:3]:
        row = page.locator(f"#r-{registration.id}")
        row.get_by_role("button", name="Deltog").click()
        # The row is swapped in place; its undo button shows the mark was saved.
        page.locator(f"#r-{registration.id}").get_by_role("button", name="Ångra").wait_for()
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("Namn").fill("Erik Walk-in")
    page.get_by_label("Organisation").fill("Kaffekooperativet")
    page.get_by_label("Kommun").select_option("Flen")
    page.get_by_role("button", name="Lägg till som deltagande").click()
    page.get_by_text("Erik Walk-in lades till").wait_for()

    attended = set(Registration.objects.filter(event=event, attended=True).values_list("name", flat=True))
    assert attended == {"Anna Ek", "Bo Ström", "Cecilia Ås", "Erik Walk-in"}
    assert Registration.objects.get(pk=people[3].pk).attended is None

    # The list as the organiser downloads it says the same.
    page.goto(f"{live_server.url}/arrangor/traffar/{event.id}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera (Excel)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    header = rows[0]
    by_name = {row[header.index("Namn")]: row[header.index("Deltog")] for row in rows[1:]}
    assert by_name == {"Anna Ek": "Ja", "Bo Ström": "Ja", "Cecilia Ås": "Ja", "Erik Walk-in": "Ja", "Dan Berg": None}
