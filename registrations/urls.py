from django.urls import path

from . import views

app_name = "registrations"
urlpatterns = [
    path("anmalan/", views.signup, name="signup"),
    path("anmalan/klar/", views.signup_done, name="done"),
    path("anmalan/<str:token>/", views.manage, name="manage"),
    path("anmalan/<str:token>/avboka/", views.cancel, name="cancel"),
]
