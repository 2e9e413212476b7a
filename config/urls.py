"""The project's URLs: the admin, and the public site of the elections app."""

from django.contrib import admin
from django.urls import include, path

from config.forms import SignInForm

# The admin's own sign-in page is the site's only one.
admin.site.login_form = SignInForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("elections.urls")),
]
