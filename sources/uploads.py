"""Where django-import-export keeps a sheet between its preview and its confirm: the database.

The library saves the uploaded file in a "tmp storage" at the preview and reads it back by
the name the confirm form posts (`import_file_name`). Its own storages write to the
server's temp folder (which another app server does not see, and where a forged name can
point at any file) or to a cache. `SheetUploadStorage` keeps the file in a
`sources.SheetUpload` row instead, through the services of `sources.services.uploads`:

- `save` stores the bytes for the uploader and takes the token the server issued as its
  name: the `import_file_name` of the confirm form;
- `read` finds the upload by that token for the same user, before it expires; any other
  name (forged, another user's, expired, a path) raises `UploadMissing`, which the admin
  answers with 400;
- `remove` deletes it once the sheet is imported.

The library builds the storage with its name and read mode only, so the uploader is bound
for the length of a request with `uploads_by(request.user)`; a storage without a user
stores and reads nothing. Nothing is written to the server's disk.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from import_export.tmp_storages import BaseStorage

from sources.services.uploads import UploadMissing, upload_create, upload_delete, upload_read

_uploader: ContextVar[Any] = ContextVar("sheet_uploader", default=None)


@contextmanager
def uploads_by(user: Any) -> Iterator[None]:
    """Store and read sheet uploads as `user` (the request's) inside the block."""
    token = _uploader.set(user)
    try:
        yield
    finally:
        _uploader.reset(token)


class SheetUploadStorage(BaseStorage):
    """A django-import-export tmp storage in `sources.SheetUpload` rows.

    Set as `IMPORT_EXPORT_TMP_STORAGE_CLASS`. Besides the library's `name`, `encoding` and
    `read_mode`, it takes `owner` (default: the user of `uploads_by`) and `file_name` (the
    uploaded file's own name, kept for the record).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.owner = kwargs.get("owner") or _uploader.get()
        self.file_name = kwargs.get("file_name") or ""
        self._data: bytes | None = None

    def save(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        upload = upload_create(data=data, file_name=self.file_name, acting_user=self.owner)
        self.name = upload.token
        # The preview reads the file straight back: from here, not from the database.
        self._data = data

    def read(self) -> bytes | str:
        if self._data is None:
            upload = upload_read(token=self.name, owner=self.owner)
            self.file_name = upload.file_name
            self._data = bytes(upload.data)
        if "b" in self.read_mode:
            return self._data
        return self._data.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        if self.owner is not None and self.name:
            upload_delete(token=self.name, acting_user=self.owner)


__all__ = ["SheetUploadStorage", "UploadMissing", "uploads_by"]
