"""The marker of a keyword left out of an update service: "keep what is stored".

`None` cannot say it, since `None` is a value some fields take (an unknown date, no birth
year, no parent place). The services of both apps share this one marker.
"""

import enum


class Unset(enum.Enum):
    """The type of `UNSET`, so that type checkers narrow `str | Unset` after `is UNSET`."""

    UNSET = "unset"

    def __repr__(self) -> str:
        # How a service's signature shows the default, in `help()` and `inspect.signature`.
        return "UNSET"


UNSET = Unset.UNSET
