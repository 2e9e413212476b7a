"""The project's URLs: the admin, and the public site of the elections app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("elections.urls")),
]
