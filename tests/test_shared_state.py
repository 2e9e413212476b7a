"""What several app servers share, chosen from the environment: the cache (Redis, memcached),
login throttling by the client's real address behind the proxies, and what happens when the
shared cache is down (pages are rendered, /healthz says so)."""

import socket

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from config.caches import cache_from_url
from config.client_ip import client_ip
from tests.conftest import missing
from tests.factories import make_user

REDIS = ("127.0.0.1", 6379)


def _request(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the connection's own address, whatever the header says.
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # One proxy (HAProxy): the address it appended.
        (1, "10.0.0.2", "203.0.113.7", "203.0.113.7"),
        # A client's own entries, to the left of what the proxy appended, are not trusted.
        (1, "10.0.0.2", "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        # Two proxies (a TLS terminator, then HAProxy): the first one's view of the client.
        (2, "10.0.0.2", "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        # A request that did not pass through every proxy: its connection's address.
        (2, "10.0.0.2", "203.0.113.7", "10.0.0.2"),
        (1, "10.0.0.2", None, "10.0.0.2"),
        # Not an address: never used.
        (1, "10.0.0.2", "evil", "10.0.0.2"),
        (1, "10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        (1, "10.0.0.2", "203.0.113.7:51000", "203.0.113.7"),
    ],
)
def test_the_client_address_trusts_exactly_the_configured_proxies(
    settings, count, remote, forwarded, expected
):
    settings.SOURCEBOOK_TRUSTED_PROXY_COUNT = count

    assert client_ip(_request(remote, forwarded)) == expected


LOGIN = "/admin/login/?next=/admin/"


def _attempt(client, password, forwarded):
    return client.post(
        LOGIN,
        {"username": "editor", "password": password},
        REMOTE_ADDR="10.0.0.2",  # the balancer, for every client
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_failures_from_one_client_behind_the_balancer_lock_out_that_client_only(client, settings):
    settings.SOURCEBOOK_TRUSTED_PROXY_COUNT = 1
    make_user("Editors", username="editor")
    for _ in range(5):
        _attempt(client, "wrong", "203.0.113.7")

    assert _attempt(client, "pw", "203.0.113.7").status_code == 429
    # Claiming another address in the header does not get the attacker out...
    assert _attempt(client, "pw", "198.51.100.1, 203.0.113.7").status_code == 429
    # ...and a colleague elsewhere, through the same balancer, signs in.
    assert _attempt(client, "pw", "198.51.100.20").status_code == 302


# The cache from the environment.


def test_each_cache_address_gives_django_s_own_backend():
    redis = cache_from_url("redis://:secret@cache.internal:6379/2", name="n", prefix="p")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://:secret@cache.internal:6379/2"
    memcached = cache_from_url("memcached://m1:11211,m2:11211", name="n", prefix="p")
    assert memcached["BACKEND"] == "django.core.cache.backends.memcached.PyMemcacheCache"
    assert memcached["LOCATION"] == ["m1:11211", "m2:11211"]
    # pymemcache's client takes no MAX_ENTRIES: given one, every page would fail.
    assert "MAX_ENTRIES" not in memcached["OPTIONS"]
    local = cache_from_url("locmem://", name="n", prefix="p", max_entries=10)
    assert local["OPTIONS"] == {"MAX_ENTRIES": 10}
    files = cache_from_url("file:///srv/sourcebook/cache", name="n", prefix="p")
    assert files["LOCATION"] == "/srv/sourcebook/cache"
    for wrong in ("redis", "http://cache", "memcached://", "file://"):
        with pytest.raises(ImproperlyConfigured):
            cache_from_url(wrong, name="n", prefix="p")


def _redis_up():
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def shared_cache(settings):
    """The public pages' cache in Redis (database 15), emptied before and after."""
    if not _redis_up():
        missing("needs Redis on 127.0.0.1:6379 (apt-get install redis-server)")
    settings.CACHES = {
        **settings.CACHES,
        "public": cache_from_url("redis://127.0.0.1:6379/15", name="public", prefix="t"),
    }
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    caches["public"].clear()
    yield caches["public"]
    caches["public"].clear()


@pytest.mark.django_db
def test_two_servers_share_their_pages_through_redis(shared_cache, client):
    from django.test import Client

    from tests.factories import make_candidate

    make_candidate("Xu Yan")
    first = client.get("/candidates/")
    second = Client().get("/candidates/")  # another server, the same Redis

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content


@pytest.fixture
def cache_down(settings):
    """A shared cache that does not answer: nothing listens on port 1."""
    settings.CACHES = {
        **settings.CACHES,
        "public": cache_from_url("redis://127.0.0.1:1/0", name="public", prefix="t"),
    }
    settings.SOURCEBOOK_PUBLIC_CACHE = True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/candidates/", "/outlets/", "/api/candidates/", "/export/claims.csv"]
)
def test_pages_are_rendered_while_the_shared_cache_is_down(cache_down, client, url):
    response = client.get(url)

    assert response.status_code == 200


@pytest.mark.django_db
def test_memcached_down_is_no_error_either(settings, client):
    settings.CACHES = {
        **settings.CACHES,
        "public": cache_from_url("memcached://127.0.0.1:1", name="public", prefix="t"),
    }
    settings.SOURCEBOOK_PUBLIC_CACHE = True

    assert client.get("/candidates/").status_code == 200


@pytest.mark.django_db
def test_healthz_reports_each_backend(shared_cache, client):
    body = client.get("/healthz").json()

    assert body == {
        "status": "ok",
        "database": "ok",
        "caches": {"default": "ok", "public": "ok"},
    }


@pytest.mark.django_db
def test_healthz_says_degraded_not_down_while_the_cache_is_down(cache_down, client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert body["caches"]["public"].startswith("unavailable")
