import re

import pytest
from django.urls import reverse

from events.services import event_cancel


def _section(html: str, heading: str) -> str:
    """The HTML of the theme group with this heading, up to the next group."""
    start = html.index(f">{heading}</h2>")
    end = html.find('<section class="theme-group"', start)
    return html[start : end if end != -1 else None]


def test_list_groups_meetings_by_theme_with_unthemed_last(client, themes, make_meeting):
    make_meeting("Pengar till företaget", theme_slugs=["finansiering"])
    make_meeting("Anbud för nybörjare", theme_slugs=["upphandling"], days=12)
    make_meeting("Nätverksträff i Flen", kind="network_meeting", days=5)

    html = client.get("/").content.decode()

    assert html.index(">Finansiering</h2>") < html.index(">Upphandling</h2>") < html.index(">Övrigt</h2>")
    assert "Pengar till företaget" in _section(html, "Finansiering")
    assert "Anbud för nybörjare" in _section(html, "Upphandling")
    assert "Nätverksträff i Flen" in _section(html, "Övrigt")


def test_meeting_with_two_themes_is_listed_once_under_the_theme_filtered_on(client, themes, make_meeting):
    event = make_meeting("Offentliga affärer", theme_slugs=["finansiering", "upphandling"])

    html = client.get("/", {"theme": "upphandling"}).content.decode()

    assert html.count(f'name="event" value="{event.id}"') == 1
    assert "Offentliga affärer" in _section(html, "Upphandling")
    assert ">Finansiering</h2>" not in html


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"kind": "digital_meeting_place"}, {"Digital mötesplats"}),
        ({"municipality": "Eskilstuna"}, {"Eskilstuna-träffen"}),
        ({"place": "online"}, {"Digital mötesplats"}),
        ({"place": "on_site"}, {"Eskilstuna-träffen", "Nyköping-träffen"}),
        ({"theme": "finansiering"}, {"Nyköping-träffen"}),
        ({"kind": "no-such-kind"}, {"Digital mötesplats", "Eskilstuna-träffen", "Nyköping-träffen"}),
    ],
)
def test_list_filters(client, themes, make_meeting, query, shown):
    make_meeting("Digital mötesplats", kind="digital_meeting_place", online_url="https://meet.example.org/x")
    make_meeting("Eskilstuna-träffen", municipality="Eskilstuna")
    make_meeting("Nyköping-träffen", theme_slugs=["finansiering"])

    html = client.get("/", query).content.decode()

    titles = set(re.findall(r'id="event-\d+-title"><a href="[^"]+">([^<]+)</a>', html))
    assert titles == shown


def test_card_shows_local_time_place_and_seats(client, make_meeting, register, settings):
    full = make_meeting("Liten träff", capacity=1)
    register(full)
    make_meeting("Digital mötesplats", online_url="https://meet.example.org/secret", capacity=None)
    make_meeting("Stor träff", capacity=30)

    html = client.get("/").content.decode()

    assert "Fullt – väntelista" in html
    assert "Obegränsat antal platser" in html
    assert "30 platser kvar" in html
    assert "Digitalt" in html
    assert "meet.example.org" not in html
    assert re.search(r"(mån|tis|ons|tors|fre|lör|sön) \d{1,2} [a-zåäö]{3} \d{4}, \d\d:\d\d–\d\d:\d\d", html)


def test_closed_meeting_has_no_checkbox(client, make_meeting):
    from django.utils import timezone

    event = make_meeting("Stängd träff", registration_closes_at=timezone.now())

    html = client.get("/").content.decode()

    assert "Anmälan är stängd" in html
    assert f'value="{event.id}"' not in html
    assert "Anmäl dig till valda träffar" not in html


def test_list_is_a_form_that_gets_the_signup_page(client, make_meeting):
    make_meeting()

    html = client.get("/").content.decode()

    assert f'<form class="event-picker" method="get" action="{reverse("registrations:signup")}">' in html
    assert "Anmäl dig till valda träffar" in html


def test_detail_sanitises_the_description(client, make_meeting):
    event = make_meeting(
        description='<p>Välkommen <strong>hit</strong></p><script>alert("x")</script>'
        '<a href="javascript:alert(1)">klicka</a><img src=x onerror="alert(2)">'
    )

    html = client.get(reverse("events:detail", args=[event.id])).content.decode()

    assert "<strong>hit</strong>" in html
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_detail_never_shows_the_online_link(client, make_meeting):
    event = make_meeting(online_url="https://meet.example.org/secret-room")

    response = client.get(reverse("events:detail", args=[event.id]))

    assert response.status_code == 200
    assert "secret-room" not in response.content.decode()


def test_detail_of_cancelled_meeting_says_so_and_offers_no_signup(client, make_meeting):
    event = make_meeting("Inställd träff")
    event_cancel(event_id=event.id)

    html = client.get(reverse("events:detail", args=[event.id])).content.decode()

    assert "Den här träffen är inställd." in html
    assert "Anmäl dig till träffen" not in html


def test_detail_of_a_draft_is_404(client, make_meeting):
    event = make_meeting(status="draft")

    assert client.get(reverse("events:detail", args=[event.id])).status_code == 404


def test_english_pages_under_en(client, themes, make_meeting):
    event = make_meeting("Pengar", theme_slugs=["finansiering"], capacity=5)

    html = client.get("/en/").content.decode()
    detail = client.get(f"/en/traffar/{event.id}/").content.decode()

    assert '<html lang="en">' in html
    assert "Upcoming meetings" in html
    assert ">Funding</h2>" in html
    assert "5 places left" in html
    assert "Sign up for the chosen meetings" in html
    assert "Sign up for this meeting" in detail
    assert 'href="/en/anmalan/?event=' in detail


def test_swedish_is_the_default(client, make_meeting):
    make_meeting()

    html = client.get("/").content.decode()

    assert '<html lang="sv">' in html
    assert "Kommande träffar" in html
    assert 'action="/i18n/setlang/"' in html


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"location": "Stadshuset"}, "Stadshuset, Nyköping"),
        # The place already names its municipality: not twice.
        ({"location": "Coompanion Sörmland, Nyköping"}, "Coompanion Sörmland, Nyköping"),
        ({"location": "", "online_url": "https://meet.example.org/x", "municipality": ""}, "Digitalt"),
        # A hybrid meeting: the room and the link, not the link alone.
        ({"location": "Stadshuset", "online_url": "https://meet.example.org/x"}, "Stadshuset, Nyköping · Digitalt"),
        ({"location": ""}, "Plats meddelas senare, Nyköping"),
    ],
)
def test_where_a_meeting_is_reads_the_same_on_card_and_detail(client, make_meeting, fields, shown):
    event = make_meeting(**fields)

    card = client.get("/").content.decode()
    detail = client.get(reverse("events:detail", args=[event.id])).content.decode()

    for html in (card, detail):
        assert re.search(r"<dt>Var</dt><dd>" + re.escape(shown) + r"(<br>|</dd>)", html), html
