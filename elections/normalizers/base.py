"""What every normalizer returns, and the error it raises."""

from dataclasses import dataclass, field


class NormalizationError(ValueError):
    """The value cannot be read as this property: the message says why, for the editor."""


@dataclass(frozen=True)
class Normalized:
    """A claim's value made comparable.

    `key` is a short text shown to editors and used for equality where the property is
    compared by equality; `data` is the structured form (JSON-serializable) that the
    property's comparison reads: a birth-date range, place ids, a number, a status.
    """

    key: str
    data: dict = field(default_factory=dict)
