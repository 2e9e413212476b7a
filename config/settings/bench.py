"""The public-pages benchmark's server: production-like (DEBUG off, the public cache on),
on the benchmark's own database, with one extra view that answers a fixed string."""

from config.env import env

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env("SECRET_KEY", "bench-only-not-a-secret-90d1c3a7")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "config.urls_bench"
