"""The test suite: SQLite in memory unless DATABASE_URL names another database."""

from config.env import env

from .base import *  # noqa: F403

SECRET_KEY = env("SECRET_KEY", "test-only-not-a-secret-4b2e8a61")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests see each view's own queries; the tests of the public cache turn it on themselves.
SOURCEBOOK_PUBLIC_CACHE = False
