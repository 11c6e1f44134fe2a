"""The capacity bar: how a meeting's seats split into attended, no-show, not yet marked and free."""

from dataclasses import dataclass

from django import template

register = template.Library()


@dataclass(frozen=True)
class CapacityBar:
    attended: int
    no_show: int
    unmarked: int
    free: int | None  # None: unlimited
    waitlisted: int
    # Widths in per cent of the bar, which is the capacity (or the confirmed count when larger or unlimited).
    attended_pct: float
    no_show_pct: float
    unmarked_pct: float

    # Where each part starts: the bar is drawn as SVG rectangles, which a strict Content
    # Security Policy allows, unlike inline style widths.
    @property
    def unmarked_x(self) -> float:
        return self.attended_pct

    @property
    def no_show_x(self) -> float:
        return round(self.attended_pct + self.unmarked_pct, 2)


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


@register.simple_tag
def capacity_bar(event) -> CapacityBar:
    """Takes a meeting annotated by workspace.selectors."""
    confirmed = event.confirmed_count
    attended = event.attended_count
    no_show = min(event.no_show_count, max(confirmed - attended, 0))
    unmarked = max(confirmed - attended - no_show, 0)
    whole = max(event.capacity or 0, confirmed)
    free = None if event.capacity is None else max(event.capacity - confirmed, 0)
    return CapacityBar(
        attended=attended,
        no_show=event.no_show_count,
        unmarked=unmarked,
        free=free,
        waitlisted=event.waitlisted_count,
        attended_pct=_pct(attended, whole),
        no_show_pct=_pct(no_show, whole),
        unmarked_pct=_pct(unmarked, whole),
    )
