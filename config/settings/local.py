"""A developer's machine: `make run` serves this on SQLite."""

from config.env import env, env_bool

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "local-only-not-a-secret-7c1d0f9e")
# A template edited on a developer's machine shows at once; PUBLIC_CACHE=1 tries the cache.
SOURCEBOOK_PUBLIC_CACHE = env_bool("PUBLIC_CACHE", False)
# `make run` prints the demo's logins (editor, reviewer, importer, admin) and they work here.
# Never from the environment: no other settings module may turn this on.
SOURCEBOOK_DEMO_LOGINS = True
