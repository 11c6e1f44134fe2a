"""Accessibility in real headless Chromium (Debian's package, driven by Playwright; no browser
is ever downloaded). axe-core, installed from npm by `npm ci`, checks every public page, the
personal manage pages, the survey after a meeting, the coaching pages, the organiser's login
and the check-in page against the WCAG 2.1 A and AA rules at phone and desktop width; a
sign-up for two meetings is then made, and a survey answered, with the keyboard alone."""

import shutil
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.services import organiser_create
from events.choices import Audience, EventStatus, Kind, Municipality
from feedback.models import Feedback
from feedback.selectors import feedback_get_by_token
from feedback.services import feedback_links_issue, feedback_requests_due
from registrations.choices import Status
from registrations.models import Registration
from registrations.personal_data.tokens import privacy_token
from registrations.services import signup_create
from tests.coaching.conftest import make_series
from tests.e2e.browser import CHROMIUM
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory, person

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "door-password-123"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]

needs_axe = pytest.mark.skipif(
    not AXE.is_file(), reason="npm ci has not installed axe-core: install Node.js/npm and run `npm ci`"
)


@pytest.fixture
def site(db):
    """Every state a page can show: meetings of several kinds, online, unlimited, full with a
    waiting list, not yet open, cancelled; a meeting under way with marked and unmarked people."""
    now = timezone.now()
    money = ThemeFactory(slug="finansiering", name="Finansiering", name_en="Funding")
    buying = ThemeFactory(slug="upphandling", name="Offentlig upphandling", name_en="Public procurement")
    ThemeFactory(slug="effektmatning", name="Effektmätning", name_en="Impact measurement")
    theme_meeting = EventFactory(
        title="Tematräff: Finansiering",
        themes=[money],
        description="<p>Vi går igenom <strong>bidrag och lån</strong>.</p><ul><li>Almi</li><li>ESF</li></ul>",
    )
    online = EventFactory(
        title="Digital mötesplats: upphandling",
        kind=Kind.DIGITAL_MEETING_PLACE,
        themes=[buying],
        capacity=None,
        online=True,
        municipality="",
        audience=Audience.PUBLIC_SECTOR,
    )
    full = EventFactory(
        title="Nätverksträff i Eskilstuna",
        kind=Kind.NETWORK_MEETING,
        capacity=2,
        municipality=Municipality.ESKILSTUNA,
        location="Munktell Science Park",
    )
    RegistrationFactory.create_batch(2, event=full)
    RegistrationFactory(event=full, status=Status.WAITLISTED, raw_token="a11y-waiting")
    EventFactory(
        title="Handledarutbildning",
        kind=Kind.SUPERVISOR_TRAINING,
        registration_opens_at=now + timedelta(days=3),
        starts_at=now + timedelta(days=30),
    )
    cancelled = EventFactory(title="Tematräff: Marknadsföring", status=EventStatus.CANCELLED)
    RegistrationFactory(event=online, name="Anna Andersson", raw_token="a11y-confirmed")
    RegistrationFactory(event=theme_meeting, raw_token="a11y-leaving")
    RegistrationFactory(event=theme_meeting, status=Status.CANCELLED, raw_token="a11y-withdrawn")

    under_way = EventFactory(title="Tematräff: Effektmätning", starts_at=now - timedelta(hours=1))
    for name, attended in (("Bo Ström", True), ("Cecilia Ås", False), ("Dan Berg", None)):
        RegistrationFactory(event=under_way, name=name, attended=attended)
    RegistrationFactory(event=under_way, name="Eva Lind", status=Status.WAITLISTED, organisation="")
    organiser_create(username="projektledare", password=PASSWORD)
    return SimpleNamespace(
        theme_meeting=theme_meeting,
        online=online,
        full=full,
        cancelled=cancelled,
        under_way=under_way,
        survey_token=_survey_token(ended=now - timedelta(hours=3), themes=[money, buying]),
        closed_survey_token=_survey_token(ended=now - timedelta(days=15)),
        coaching=_coaching(),
    )


def _survey_token(*, ended, themes=()) -> str:
    """The link token of an attendee's survey for a meeting that ended then, as beat asks."""
    event = EventFactory(title="Tematräff: Upphandling", starts_at=ended - timedelta(hours=2), ends_at=ended)
    event.themes.set(themes)
    registration = RegistrationFactory(event=event, attended=True)
    feedback_requests_due(now=ended + timedelta(hours=3))
    feedback = Feedback.objects.get(registration=registration)
    return feedback_links_issue(feedback_ids=[feedback.id])[feedback.id]


def _coaching() -> SimpleNamespace:
    """A coach's times from the day after tomorrow on, the first of them booked."""
    today = timezone.localdate()
    days = {"starts_on": today + timedelta(days=2), "ends_on": today + timedelta(days=20)}
    series = make_series(**days, weekdays=[1, 2, 3, 4, 5], notice_hours=1)
    taken, free, *_ = series.slots.order_by("starts_at")
    signup_create(person=person("coached@example.org"), event_ids=[taken.id])
    return SimpleNamespace(series=series, taken=taken, free=free)


def _axe(page) -> dict:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return {
                passes: results.passes.length,
                violations: results.violations.map((violation) => ({
                    id: violation.id,
                    impact: violation.impact,
                    help: violation.help,
                    targets: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
                })),
            };
        }""",
        WCAG_TAGS,
    )


def _reflow_violations(page) -> list[dict]:
    """WCAG 1.4.10, which axe-core does not test: nothing may need scrolling sideways."""
    wide = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    rule = "Content reflows without horizontal scrolling (WCAG 1.4.10)"
    return [{"id": "reflow", "impact": "serious", "help": rule, "targets": ["html"]}] if wide else []


def _report(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for violation in violations:
            lines.append(
                f"{where}: {violation['id']} ({violation['impact']}) {violation['help']} "
                f"-> {', '.join(violation['targets'])}"
            )
    return "\n".join(lines)


@needs_axe
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_has_no_wcag_2_1_a_or_aa_violations(live_server, chromium, site, viewport):
    # The site's Content-Security-Policy allows scripts from its own origin only, so axe-core
    # cannot be injected as a script tag; this context ignores the policy for that reason.
    # The keyboard test below runs under the policy as people get it.
    context = chromium.new_context(viewport=viewport, is_mobile=viewport is PHONE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    found: dict[str, list[dict]] = {}

    def check(label: str) -> None:
        # After a click the new page may still be loading its stylesheet; axe needs it for contrast.
        page.wait_for_load_state("load")
        results = _axe(page)
        assert results["passes"], f"{label}: axe-core checked nothing"
        violations = results["violations"] + _reflow_violations(page)
        if violations:
            found[f"{label} [{viewport['width']}px]"] = violations

    def visit(label: str, path: str, expected_status: int = 200) -> None:
        response = page.goto(base + path)
        assert response.status == expected_status, f"{label}: {path} answered {response.status}"
        check(label)

    visit("meeting list", "/")
    visit("meeting list in English", "/en/")
    visit("meeting list, filtered", "/?theme=finansiering")
    visit("meeting list, filtered to nothing", "/?kind=coaching")
    visit("meeting page", f"/traffar/{site.theme_meeting.id}/")
    visit("online meeting page", f"/en/traffar/{site.online.id}/")
    visit("full meeting page", f"/traffar/{site.full.id}/")
    visit("cancelled meeting page", f"/traffar/{site.cancelled.id}/")

    visit("sign-up form", "/anmalan/")
    assert page.locator("label[for=id_language_1]").get_attribute("lang") == "en"
    page.get_by_role("button", name="Skicka anmälan").click()
    page.get_by_role("heading", name="Rätta följande").wait_for()
    check("sign-up form with errors")

    page.goto(f"{base}/anmalan/?event={site.theme_meeting.id}&event={site.full.id}")
    page.get_by_label("Namn").fill("Anna Andersson")
    page.get_by_label("E-post").fill(f"anna.{viewport['width']}@example.org")
    page.get_by_label("Socialt företag").check()
    page.get_by_label("Kommun").select_option("Nyköping")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Skicka anmälan").click()
    page.wait_for_url("**/anmalan/klar/")
    check("confirmation page")

    visit("manage page, confirmed online", "/anmalan/a11y-confirmed/")
    visit("manage page, waiting list", "/en/anmalan/a11y-waiting/")
    visit("cancel confirmation", "/anmalan/a11y-leaving/avboka/")
    page.get_by_role("button", name="Ja, avboka min anmälan").click()
    page.get_by_role("status").wait_for()
    check("manage page after cancelling")
    visit("cancelled registration", "/anmalan/a11y-withdrawn/", expected_status=410)
    visit("unknown manage link", "/anmalan/no-such-token/", expected_status=404)

    # The survey after a meeting, from the e-mail's link: empty, with an error, thanked, closed.
    visit("survey", f"/omdome/{site.survey_token}/")
    page.locator(".survey button[type=submit]").click()
    page.locator("#field-rating.field--error").wait_for()
    check("survey with an error")
    page.locator("label[for=id_rating_3]").click()
    page.locator("#id_comment").fill("Ett bra tips om lokala upphandlingar.")
    page.locator("label[for=id_themes_0]").click()
    page.locator(".survey button[type=submit]").click()
    page.wait_for_url("**/omdome/*/?tack=1")
    check("survey: thank you")
    visit("survey answered, in English", f"/en/omdome/{site.survey_token}/")
    visit("closed survey", f"/omdome/{site.closed_survey_token}/", expected_status=410)

    # A person's own data, from the link the manage page e-mails.
    page.goto(f"{base}/anmalan/a11y-confirmed/")
    page.locator('form[action$="/mina-uppgifter/"] button').click()
    page.get_by_role("status").wait_for()
    check("manage page after asking for the data link")
    signed = privacy_token(Registration.objects.get(event=site.online, name="Anna Andersson"))
    visit("your data", f"/mina-uppgifter/{signed}/")
    visit("your data: delete confirmation", f"/mina-uppgifter/{signed}/radera/")
    visit("your data: expired link", "/mina-uppgifter/not-a-signed-link/", expected_status=404)
    visit("page not found", "/finns-inte/", expected_status=404)

    # Coaching: the coaches, a coach's free times, booking a time (with errors), a taken time.
    coaching = site.coaching
    visit("coaching list", "/coachning/")
    visit("coaching day view in English", f"/en/coachning/{coaching.series.id}/")
    visit("coaching booking form", f"/coachning/tid/{coaching.free.id}/")
    page.locator(".booking-form button[type=submit]").click()
    page.locator("#field-consent.field--error").wait_for()
    check("coaching booking form with errors")
    visit("coaching time already booked", f"/coachning/tid/{coaching.taken.id}/", expected_status=409)
    page.goto(f"{base}/coachning/tid/{coaching.free.id}/")
    page.get_by_label("Namn").fill("Bo Berg")
    page.get_by_label("E-post").fill(f"bo.{viewport['width']}@example.org")
    page.get_by_label("Socialt företag").check()
    page.get_by_label("Kommun").select_option("Flen")
    page.locator("#id_consent").check()
    signup_create(person=person(f"quicker.{viewport['width']}@example.org"), event_ids=[coaching.free.id])
    page.locator(".booking-form button[type=submit]").click()
    page.locator(".nearest").wait_for()
    check("coaching time just taken")

    visit("workspace login", "/arrangor/logga-in/")
    page.get_by_label("Användarnamn").fill("projektledare")
    page.get_by_label("Lösenord").fill("wrong-password")
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("alert").wait_for()
    check("workspace login with an error")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/arrangor/")
    visit("check-in page", f"/arrangor/traffar/{site.under_way.id}/incheckning/")
    page.get_by_role("button", name="Deltog Dan Berg").click()
    page.get_by_role("button", name="Ångra Dan Berg").wait_for()
    check("check-in page after a mark")
    page.get_by_role("button", name="Lägg till som deltagande").click()
    page.locator("#field-name.field--error").wait_for()
    check("check-in page with walk-in errors")
    context.close()

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + _report(found)


def _active(page, script: str = "element"):
    """Reads (never changes) the focused element: `element` in the script is document.activeElement."""
    return page.evaluate(f"(() => {{ const element = document.activeElement; return {script}; }})()")


def _tab_to(page, selector: str, *, backwards: bool = False, limit: int = 200) -> None:
    """Tabs to the element; every control passed on the way must show where focus is."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        _assert_focus_visible(page, _active(page, "element.outerHTML.slice(0, 120)"))
        if _active(page, f"element.matches({selector!r})"):
            return
    raise AssertionError(f"{key} never reached {selector}")


def _assert_focus_visible(page, what: str) -> None:
    """The focused element has a focus ring, is on screen, and nothing (a sticky bar) covers it."""
    focus = _active(
        page,
        """(() => {
            const style = getComputedStyle(element);
            const box = element.getClientRects()[0];
            const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
            return {
                outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth),
                shadow: style.boxShadow,
                // A pixel's leeway: the browser scrolls a focused field just into view, and
                // fractional layout can leave its edge a fraction of a pixel past the viewport.
                onScreen: box.top >= -1 && box.bottom <= window.innerHeight + 1,
                coveredBy: hit && (hit === element || element.contains(hit)) ? null : String(hit && hit.className),
            };
        })()""",
    )
    assert (focus["outline"] != "none" and focus["width"] >= 2) or focus["shadow"] != "none", f"{what}: {focus}"
    assert focus["onScreen"] and focus["coveredBy"] is None, f"{what} is hidden: {focus}"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_sign_up_for_two_meetings_with_the_keyboard_alone(live_server, chromium, site, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/")

    # The first Tab reaches the skip link, which shows itself and moves focus past the header.
    page.keyboard.press("Tab")
    assert _active(page, "element.classList.contains('skip-link')")
    _assert_focus_visible(page, "skip link")
    page.keyboard.press("Enter")
    assert _active(page, "element.id") == "main"
    page.keyboard.press("Tab")
    assert _active(page, "element.closest('main') !== null && element.closest('form.filters') !== null")

    # Tick the later of the two meetings first, then go back for the earlier one.
    order = page.evaluate("[...document.querySelectorAll('input[name=event]')].map((input) => Number(input.value))")
    first, second = sorted([site.theme_meeting, site.full], key=lambda event: order.index(event.id))
    _tab_to(page, f"#pick-{second.id}")
    page.keyboard.press("Space")
    _tab_to(page, f"#pick-{first.id}", backwards=True)
    page.keyboard.press("Space")
    _tab_to(page, ".event-picker button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/anmalan/?event=*")
    checked = page.evaluate("[...document.querySelectorAll('input[name=event]:checked')].map((input) => input.value)")
    assert sorted(checked) == sorted([str(first.id), str(second.id)])

    _tab_to(page, "#id_name")
    page.keyboard.type("Anna Andersson")
    _tab_to(page, "#id_email")
    page.keyboard.type(f"anna.{viewport['width']}@example.org")
    _tab_to(page, "input[name=organisation_type]")
    # Tab enters a radio group on its first option; the arrow keys move the choice.
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert _active(page, "element.value") == "public_sector"
    _tab_to(page, "#id_municipality")
    page.keyboard.type("Nyk")
    assert _active(page, "element.value") == "Nyköping"
    _tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    _tab_to(page, "form[method=post] .submit-bar button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/anmalan/klar/")
    outcomes = page.locator(".outcome__title").all_inner_texts()
    assert sorted(outcomes) == sorted([first.title, second.title])
    assert page.locator(".status--confirmed").count() == 1
    assert page.locator(".status--waitlisted").count() == 1
    context.close()

    registrations = Registration.objects.filter(email=f"anna.{viewport['width']}@example.org")
    assert {r.event_id: r.status for r in registrations} == {first.id: Status.CONFIRMED, second.id: Status.WAITLISTED}
    assert {r.organisation_type for r in registrations} == {"public_sector"}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_survey_answered_with_the_keyboard_alone_and_no_javascript(live_server, chromium, site, viewport):
    context = chromium.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/omdome/{site.survey_token}/")

    # Tab enters the 1–5 radio group on its first option; the arrow keys move the choice.
    _tab_to(page, "input[name=rating]")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert _active(page, "element.value") == "4"
    _tab_to(page, "#id_comment")
    page.keyboard.type("Ett bra tips om lokala upphandlingar.")
    _tab_to(page, "#id_quote_allowed")
    page.keyboard.press("Space")
    _tab_to(page, "input[name=themes][value=upphandling]")
    page.keyboard.press("Space")
    _tab_to(page, ".survey button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/omdome/*/?tack=1")
    assert page.locator(".survey-answer").count() == 1
    context.close()

    feedback = feedback_get_by_token(token=site.survey_token)
    assert feedback.rating == 4 and feedback.quote_allowed is True
    assert feedback.comment == "Ett bra tips om lokala upphandlingar."
    assert [theme.slug for theme in feedback.wants_themes.all()] == ["upphandling"]
