"""Django's CACHES entries from an address in the environment (CACHE_URL, PUBLIC_CACHE_URL).

- `locmem://` (the default): Django's in-process cache, one per worker process.
- `redis://[:password@]host:6379/0` or `rediss://...` (TLS): Django's own `RedisCache`, with
  redis-py; the cache every app server shares in production. Redis must be given a memory
  limit and an eviction policy (`maxmemory 256mb`, `maxmemory-policy allkeys-lru`): entries
  of superseded generations are never asked for again and are evicted as it fills (README).
- `memcached://host:11211[,host2:11211]`: Django's `PyMemcacheCache` (pymemcache), which
  evicts by itself.
- `file:///path/to/folder`: Django's `FileBasedCache`, for several workers on one machine.

Connection attempts to a shared cache give up after a short timeout, so that a cache that
is down costs a request little (`elections.cache` then renders the page).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Seconds a shared cache gets to connect and to answer before it counts as down.
SOCKET_TIMEOUT = 0.5


def cache_from_url(url, *, name, prefix, version=1, max_entries=2000):
    """The CACHES entry for `url` (see the module's docstring); `name` tells in-process
    caches apart, `prefix` keys in a shared one."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    common = {"KEY_PREFIX": prefix, "VERSION": version}
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": name,
            "OPTIONS": {"MAX_ENTRIES": max_entries},
            **common,
        }
    if scheme in ("redis", "rediss"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": SOCKET_TIMEOUT,
                "socket_timeout": SOCKET_TIMEOUT,
            },
            **common,
        }
    if scheme == "memcached":
        servers = [server for server in parts.netloc.split(",") if server]
        if not servers:
            raise ImproperlyConfigured(f"A memcached address names its server: {url!r}")
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": servers,
            "OPTIONS": {
                "connect_timeout": SOCKET_TIMEOUT,
                "timeout": SOCKET_TIMEOUT,
                "no_delay": True,
                # A server that fails is skipped for a while, not retried on every request.
                "use_pooling": True,
            },
            **common,
        }
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"A file cache address names its folder: {url!r}")
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": parts.path,
            "OPTIONS": {"MAX_ENTRIES": max_entries},
            **common,
        }
    raise ImproperlyConfigured(
        f"CACHE_URL must start with locmem://, redis://, rediss://, memcached:// or file://, "
        f"not {url!r}."
    )
