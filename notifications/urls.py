from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [path("kalender/<str:token>.ics", views.feed, name="feed")]
