from django.urls import path

from . import views

app_name = "coaching"
urlpatterns = [
    path("coachning/", views.series_list, name="list"),
    path("coachning/<int:series_id>/", views.series_detail, name="series"),
    path("coachning/tid/<int:event_id>/", views.slot_book, name="book"),
]
