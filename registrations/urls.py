from django.urls import path

from . import views
from .personal_data import views as personal_data_views

app_name = "registrations"
urlpatterns = [
    path("anmalan/", views.signup, name="signup"),
    path("anmalan/klar/", views.signup_done, name="done"),
    path("anmalan/<str:token>/", views.manage, name="manage"),
    path("anmalan/<str:token>/avboka/", views.cancel, name="cancel"),
    path("anmalan/<str:token>/kalender.ics", views.calendar_file, name="calendar"),
    # A person's own data: the link is e-mailed from the manage page, signed, valid for a day.
    path("anmalan/<str:token>/mina-uppgifter/", personal_data_views.link_request, name="privacy_link"),
    path("mina-uppgifter/raderade/", personal_data_views.erased, name="privacy_erased"),
    path("mina-uppgifter/<str:signed>/", personal_data_views.data_page, name="privacy"),
    path("mina-uppgifter/<str:signed>/json/", personal_data_views.download, name="privacy_download"),
    path("mina-uppgifter/<str:signed>/radera/", personal_data_views.erase, name="privacy_erase"),
]
