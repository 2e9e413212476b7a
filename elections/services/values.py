"""`UNSET`: the default of a service's optional field, meaning "leave it as it is".

None cannot say that where None is a value (no birth year, no polling date, no parent).
"""

from enum import Enum


class Unset(Enum):
    """The type of `UNSET` (one member, so that type checkers narrow `x is not UNSET`)."""

    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset.UNSET
