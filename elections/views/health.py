"""/healthz: what the balancer and the operator ask of each app server.

It reports each backend the server uses: the primary database, each read replica (with its
lag, where it is one), and the caches. The answer is 200 while the server can serve pages,
which needs the primary database only: a cache or a replica that is down makes the status
"degraded" (pages are rendered without the cache, reads go to the primary) but leaves the
server in the balancer. 503 when the primary database does not answer. Nothing in it comes
from the record, so it says nothing the public may not know.
"""

import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse

from config.replicas import replica_aliases, replica_lag


def _database(alias):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"unavailable: {type(error).__name__}"
    return "ok"


def _cache(alias):
    """A write and a read of a key of this check's own, then its removal."""
    key = f"sourcebook:healthz:{secrets.token_hex(8)}"
    try:
        store = caches[alias]
        store.set(key, "1", 10)
        found = store.get(key)
        store.delete(key)
    except Exception as error:
        return f"unavailable: {type(error).__name__}"
    return "ok" if found == "1" else "unavailable: what was written could not be read"


def healthz(request):
    """Each backend's state (see the module's docstring)."""
    report = {"database": _database(DEFAULT_DB_ALIAS)}
    replicas = {}
    for alias in replica_aliases():
        state = _database(alias)
        lag = replica_lag(alias) if state == "ok" else {}
        replicas[alias] = {"state": state, **lag}
    if replicas:
        report["replicas"] = replicas
    report["caches"] = {alias: _cache(alias) for alias in settings.CACHES}
    if report["database"] != "ok":
        return JsonResponse({"status": "error", **report}, status=503)
    degraded = any(state != "ok" for state in report["caches"].values()) or any(
        replica["state"] != "ok" for replica in replicas.values()
    )
    return JsonResponse({"status": "degraded" if degraded else "ok", **report})
