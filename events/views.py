"""Public meeting pages: the list by theme and one meeting."""

from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import pgettext_lazy

from .forms import EventFilterForm
from .models import Event, Theme
from .selectors import event_get_public, event_list_upcoming


@dataclass
class ThemeGroup:
    title: str
    slug: str
    events: list[Event] = field(default_factory=list)


def _group_by_theme(events: list[Event], preferred: Theme | None) -> list[ThemeGroup]:
    """Each meeting appears once, so its checkbox is unambiguous: under the theme being
    filtered on, else under its first theme by name; meetings without a theme come last."""
    groups: dict[str, ThemeGroup] = {}
    other = ThemeGroup(title=pgettext_lazy("meetings without a theme", "Other"), slug="other")
    for event in events:
        themes = list(event.themes.all())
        if not themes:
            other.events.append(event)
            continue
        theme = preferred if preferred and preferred in themes else themes[0]
        groups.setdefault(theme.slug, ThemeGroup(title=theme.display_name, slug=theme.slug)).events.append(event)
    ordered = sorted(groups.values(), key=lambda group: group.title.casefold())
    return ordered + ([other] if other.events else [])


def event_list(request):
    form = EventFilterForm(request.GET)
    filters = form.selector_filters()
    events = list(event_list_upcoming(**filters))
    context = {
        "form": form,
        "groups": _group_by_theme(events, form.selected_theme()),
        "event_count": len(events),
        "filtered": any(value is not None for value in filters.values()),
        "open_count": sum(1 for event in events if event.registration_open),
    }
    return render(request, "events/list.html", context)


def event_detail(request, event_id: int):
    event = event_get_public(event_id=event_id)
    if event is None:
        raise Http404
    if event.coaching_series_id:
        # A coaching time is booked on its own page (one seat, the coach's other times).
        return redirect("coaching:book", event_id=event.id)
    return render(request, "events/detail.html", {"event": event})
