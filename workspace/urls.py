from datetime import date

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from . import coaching, feedback_exports, history, meetings, messaging, privacy, report_views, security, views


class IsoDateConverter:
    """A day as 2021-05-31; an impossible date (2021-02-30) is no match, so a 404. Years
    1900-2999 only: the period's day after its end must still be a date (9999-12-31 has none)."""

    regex = r"(?:19|2\d)\d{2}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else value


register_converter(IsoDateConverter, "workspace_date")

app_name = "workspace"

urlpatterns = [
    # Logging in (password, then the two-factor code if turned on) and the security page.
    path("logga-in/", security.PasswordStepView.as_view(), name="login"),
    path("logga-in/kod/", security.login_code, name="login_code"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("sakerhet/", security.security_page, name="security"),
    path("sakerhet/tvastegsinloggning/", security.two_factor_setup, name="two_factor_setup"),
    path("sakerhet/tvastegsinloggning/starta/", security.two_factor_start, name="two_factor_start"),
    path("sakerhet/tvastegsinloggning/stang-av/", security.two_factor_off, name="two_factor_off"),
    path("sakerhet/reservkoder/", security.backup_codes_new, name="backup_codes_new"),
    path("", views.overview, name="overview"),
    path("teman/", views.theme_demand_page, name="themes"),
    path("integritet/", privacy.privacy_notice_edit, name="privacy"),
    path("traffar/<int:event_id>/", views.event_registrations, name="event"),
    path("traffar/<int:event_id>/incheckning/", views.checkin, name="checkin"),
    path("traffar/<int:event_id>/incheckning/ny/", views.checkin_walk_in, name="walk_in"),
    path("traffar/<int:event_id>/incheckning/uteblivna/", views.checkin_no_shows, name="no_shows"),
    path("traffar/<int:event_id>/incheckning/<int:registration_id>/", views.checkin_mark, name="mark"),
    path("anmalan/<int:registration_id>/historik/", history.registration_history_page, name="registration_history"),
    path("traffar/<int:event_id>/meddelande/", messaging.event_messages, name="messages"),
    # The survey's answers as files, without names (workspace/feedback_exports.py).
    path(
        "traffar/<int:event_id>/omdomen.<str:extension>",
        feedback_exports.event_feedback_export,
        name="event_feedback_export",
    ),
    path("omdomen/", feedback_exports.feedback_export_period, name="feedback_export_period"),
    path(
        "omdomen/<workspace_date:start>/<workspace_date:end>/omdomen.<str:extension>",
        feedback_exports.feedback_export,
        name="feedback_export",
    ),
    # Creating, changing, copying and cancelling meetings (workspace/meetings.py).
    path("traffar/ny/", meetings.meeting_create, name="meeting_create"),
    path("traffar/<int:event_id>/andra/", meetings.meeting_update, name="meeting_update"),
    path("traffar/<int:event_id>/kopiera/", meetings.meeting_duplicate, name="meeting_duplicate"),
    path("traffar/<int:event_id>/stall-in/", meetings.meeting_cancel, name="meeting_cancel"),
    # Coaching series, their times and the coach's day (workspace/coaching.py).
    path("coachning/", coaching.series_list, name="coaching"),
    path("coachning/ny/", coaching.series_create, name="coaching_create"),
    path("coachning/typer/", coaching.kinds, name="coaching_kinds"),
    path("coachning/dag/", coaching.day_page, name="coaching_day"),
    path("coachning/dag/narvaro/<int:registration_id>/", coaching.day_mark, name="coaching_day_mark"),
    path("coachning/<int:series_id>/", coaching.series_page, name="coaching_series"),
    path("coachning/<int:series_id>/andra/", coaching.series_update, name="coaching_update"),
    path("coachning/<int:series_id>/tider/ny/", coaching.slot_add, name="coaching_slot_add"),
    path("coachning/<int:series_id>/tider/<int:event_id>/ta-bort/", coaching.slot_remove, name="coaching_slot_remove"),
    path("coachning/<int:series_id>/blockera-dag/", coaching.day_block, name="coaching_day_block"),
    # The progress report, the programme and its participants (workspace/report_views.py).
    path("rapporter/", report_views.report_index, name="reports"),
    path("rapporter/insats/", report_views.programme_settings, name="programme"),
    path("rapporter/deltagare/", report_views.participant_list, name="participants"),
    path("rapporter/deltagare/<int:participant_id>/", report_views.participant_page, name="participant"),
    path("rapporter/deltagare/<int:participant_id>/utfall/", report_views.outcome_create, name="outcome_create"),
    path(
        "rapporter/deltagare/<int:participant_id>/utfall/<int:outcome_id>/ta-bort/",
        report_views.outcome_remove,
        name="outcome_remove",
    ),
    path("rapporter/<workspace_date:start>/<workspace_date:end>/", report_views.report_page, name="report"),
    path(
        "rapporter/<workspace_date:start>/<workspace_date:end>/slutfor/",
        report_views.report_finalise,
        name="report_finalise",
    ),
    path(
        "rapporter/<workspace_date:start>/<workspace_date:end>/lagesrapport.<str:extension>",
        report_views.report_download,
        name="report_download",
    ),
]
