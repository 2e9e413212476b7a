"""Authentication backends: django-axes' lockout in front of Django's model backend."""

from axes.backends import AxesStandaloneBackend


class ThrottledLoginBackend(AxesStandaloneBackend):
    """Refuse logins that django-axes has locked out, for every login made through a request.

    A login through the site always carries its request (Django's login views pass it).
    `authenticate()` called from code without a request — a management command, the test
    client's `login()` — has no client to throttle, so it is passed on to the next backend
    rather than refused.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
