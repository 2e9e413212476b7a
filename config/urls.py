"""The project's URLs: the admin, and the public site of the elections app."""

from django.contrib import admin
from django.urls import include, path

from config.languages import choose_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("language/<str:code>/", choose_language, name="choose_language"),
    path("", include("elections.urls")),
]
