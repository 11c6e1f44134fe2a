from django.contrib.auth import views as auth_views
from django.urls import path

from . import history, meetings, messaging, views

app_name = "workspace"

urlpatterns = [
    path(
        "logga-in/",
        auth_views.LoginView.as_view(template_name="workspace/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.overview, name="overview"),
    path("teman/", views.theme_demand_page, name="themes"),
    path("traffar/<int:event_id>/", views.event_registrations, name="event"),
    path("traffar/<int:event_id>/incheckning/", views.checkin, name="checkin"),
    path("traffar/<int:event_id>/incheckning/ny/", views.checkin_walk_in, name="walk_in"),
    path("traffar/<int:event_id>/incheckning/uteblivna/", views.checkin_no_shows, name="no_shows"),
    path("traffar/<int:event_id>/incheckning/<int:registration_id>/", views.checkin_mark, name="mark"),
    path("anmalan/<int:registration_id>/historik/", history.registration_history_page, name="registration_history"),
    path("traffar/<int:event_id>/meddelande/", messaging.event_messages, name="messages"),
    # Creating, changing, copying and cancelling meetings (workspace/meetings.py).
    path("traffar/ny/", meetings.meeting_create, name="meeting_create"),
    path("traffar/<int:event_id>/andra/", meetings.meeting_update, name="meeting_update"),
    path("traffar/<int:event_id>/kopiera/", meetings.meeting_duplicate, name="meeting_duplicate"),
    path("traffar/<int:event_id>/stall-in/", meetings.meeting_cancel, name="meeting_cancel"),
]
