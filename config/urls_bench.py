"""The project's URLs plus the benchmark's baseline: a view that answers a fixed string."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

FIXED = "Sourcebook benchmark baseline: a fixed string, no template and no query.\n"


def fixed_string(request):
    """The cheapest answer Django can give through the same middleware as every page."""
    return HttpResponse(FIXED, content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/fixed/", fixed_string, name="bench-fixed"), *project_urlpatterns]
