"""The marker of a keyword left out of an update service: "keep what is stored".

`None` cannot say it, since `None` is a value some fields take (an unknown date).
"""

import enum


class Unset(enum.Enum):
    """The type of `UNSET`, so that type checkers narrow `str | Unset` after `is UNSET`."""

    UNSET = "unset"


UNSET = Unset.UNSET
