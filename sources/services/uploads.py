"""Sheets kept between their preview and their confirm (`sources.SheetUpload`).

An upload is stored in the database, the one store every app server shares, under a token
the server issues (`secrets.token_urlsafe`): the only name of it a client ever sees. It is
read back only for the user who uploaded it and before it expires
(`settings.SOURCEBOOK_UPLOAD_EXPIRY_HOURS`); a confirmed upload is deleted, and expired ones
are removed by `manage.py purge_uploads` and, a few at a time, whenever a sheet is uploaded.
"""

import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from sources.audit import IN_BODY, read_only, service
from sources.models import SheetUpload

# The importers' permission (`sources.resources.base.IMPORT_PERMISSION`, defined by the
# elections app's roles); named here as text, since the resources import the services.
IMPORT_PERMISSION = "elections.import_sheets"
# Expired uploads removed when a new one is stored: enough to keep up, bounded per request.
PURGED_PER_UPLOAD = 10
TOKEN_BYTES = 32
# What `secrets.token_urlsafe(TOKEN_BYTES)` gives: anything else was never issued, and is not
# even looked up (PostgreSQL refuses a NUL byte in a query's text).
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class UploadMissing(LookupError):
    """No upload of this user goes by this token (never issued, another's, or expired)."""


def _issued(token: object) -> bool:
    return isinstance(token, str) and TOKEN.fullmatch(token) is not None


def _expiry() -> timedelta:
    return timedelta(hours=settings.SOURCEBOOK_UPLOAD_EXPIRY_HOURS)


@service(perm=IMPORT_PERMISSION, action="import spreadsheets")
def upload_create(*, data: bytes, file_name: str, acting_user: User) -> SheetUpload:
    """Keep `data` (a sheet's bytes) for `acting_user` until it expires, under a new token.

    A few expired uploads (anyone's) are removed first, so that they never pile up between
    two runs of `purge_uploads`.
    """
    return _kept(data=data, file_name=file_name, acting_user=acting_user)


@service(perm="sources.add_article", action="add articles")
def upload_create_reports(*, data: bytes, file_name: str, acting_user: User) -> SheetUpload:
    """Keep a batch of reports (`sources.intake.pack`) for `acting_user` until the task that
    imports them reads it; kept and read like a sheet's upload."""
    return _kept(data=data, file_name=file_name, acting_user=acting_user)


def _kept(*, data: bytes, file_name: str, acting_user: User) -> SheetUpload:
    uploads_purge_expired(limit=PURGED_PER_UPLOAD, acting_user=acting_user)
    return SheetUpload.objects.create(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        owner=acting_user,
        file_name="".join(c for c in file_name or "" if c.isprintable())[:255],
        size=len(data),
        data=data,
        expires_at=timezone.now() + _expiry(),
    )


@read_only
def upload_read(*, token: str, owner: User) -> SheetUpload:
    """`owner`'s upload called `token`, if it has not expired; UploadMissing otherwise.

    Any other user's upload, whatever the token, is missing for `owner`.
    """
    if not _issued(token) or getattr(owner, "pk", None) is None:
        raise UploadMissing(token)
    upload = SheetUpload.objects.filter(
        token=token, owner_id=owner.pk, expires_at__gt=timezone.now()
    ).first()
    if upload is None:
        raise UploadMissing(token)
    return upload


@service(perm=IN_BODY)
def upload_delete(*, token: str, acting_user: User) -> bool:
    """Delete `acting_user`'s upload `token` (once confirmed); True when there was one.

    The permission is ownership: the query names the acting user, so no one deletes
    another's upload.
    """
    if not _issued(token):
        return False
    deleted, _ = SheetUpload.objects.filter(token=token, owner_id=acting_user.pk).delete()
    return bool(deleted)


@service(perm="sources.delete_sheetupload", action="remove expired uploads")
def uploads_purge_expired(
    *, acting_user: User, now: datetime | None = None, limit: int | None = None
) -> int:
    """Delete uploads expired at `now` (every one, or the `limit` oldest); how many."""
    expired = SheetUpload.objects.filter(expires_at__lte=now or timezone.now())
    if limit is not None:
        ids = list(expired.order_by("expires_at").values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        expired = SheetUpload.objects.filter(pk__in=ids)
    deleted, _ = expired.delete()
    return deleted
