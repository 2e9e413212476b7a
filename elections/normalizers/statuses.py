"""Candidacy statuses in English and Chinese, each with the date it held on.

Two statuses conflict only when they differ and hold on the same date, and "the same date"
means both known to the day and equal: a status known only to the month or the year may have
changed within it (declared early in November, barred late in November), so it never
conflicts with another on that ground alone.
"""

import re

from django.utils.translation import gettext

from elections.models.candidacy import STATUS_EN, STATUS_ZH, Status

from .base import NormalizationError, Normalized
from .text import as_partial_date, clean, split_date

STATUS_WORDS = {
    Status.DECLARED: (
        "declared",
        "declared candidacy",
        "declared his candidacy",
        "declared her candidacy",
        "announced",
        "announced candidacy",
        "announced his candidacy",
        "announced her candidacy",
        "running",
        "standing",
        "参选",
        "独立参选",
        "宣布独立参选",
        "宣布竞选",
    ),
    Status.SEEKING_NOMINATION: (
        "seeking nomination",
        "seeking nominations",
        "seeking a nomination",
        "sought nomination",
        "collecting nominations",
        "collecting signatures",
        "gathering signatures",
        "征集提名",
        "争取提名",
    ),
    Status.PRELIMINARY: (
        "preliminary",
        "preliminary candidate",
        "initial candidate",
        "provisional candidate",
        "确定为初步候选人",
    ),
    Status.OFFICIAL: (
        "official",
        "official candidate",
        "formal candidate",
        "final candidate",
        "on the ballot",
        "确定为正式候选人",
    ),
    Status.ELECTED: (
        "elected",
        "won",
        "won a seat",
        "won the seat",
        "winner",
        "成功当选",
        "胜选",
        "获胜",
    ),
    Status.DEFEATED: (
        "defeated",
        "lost",
        "not elected",
        "was not elected",
        "unsuccessful",
        "未当选",
        "没有当选",
        "失败",
    ),
    Status.WITHDREW: (
        "withdrew",
        "withdrawn",
        "withdrawal",
        "has withdrawn",
        "dropped out",
        "pulled out",
        "quit",
        "gave up",
        "退出",
        "退出选举",
        "退出竞选",
        "宣布退选",
        "放弃参选",
    ),
    Status.BARRED: (
        "barred",
        "disqualified",
        "blocked",
        "excluded",
        "ruled ineligible",
        "ineligible",
        "removed from the ballot",
        "struck off",
        "取消资格",
        "被取消参选资格",
        "被取消候选人资格",
        "被禁止参选",
    ),
}
_LOOKUP = {}
for _status in Status:
    for _word in (_status.value, STATUS_EN[_status], STATUS_ZH[_status], *STATUS_WORDS[_status]):
        _LOOKUP[" ".join(_word.replace("_", " ").split())] = _status

# Words around a status that do not change it: "was elected", "has withdrawn from the race".
_AUXILIARIES = re.compile(r"^(?:(?:has|had|was|is|been|became|an?|the)\s+|已经|已)+")
_TAILS = re.compile(
    r"\s+(?:(?:from|of|in|for)\s+)?(?:the\s+)?(?:race|election|elections|vote|poll|contest)$"
)


def read_status(text):
    """The Status a printed word means, or NormalizationError listing the accepted words."""
    folded = " ".join(re.sub(r"[_.,;:!()\"“”'‘’]", " ", text.casefold()).split())
    candidates = [folded, _AUXILIARIES.sub("", folded)]
    candidates += [_TAILS.sub("", candidate) for candidate in candidates]
    candidates += [candidate.replace("-", " ") for candidate in candidates]
    for candidate in candidates:
        status = _LOOKUP.get(candidate) or _LOOKUP.get(candidate.replace(" ", ""))
        if status is not None:
            return status
    accepted = ", ".join(f"{status.label} ({STATUS_ZH[status]})" for status in Status)
    raise NormalizationError(
        gettext(
            "%(value)s is not a candidacy status this system can read; the statuses are: "
            "%(accepted)s."
        )
        % {"value": repr(text), "accepted": accepted}
    )


def normalize_status(value, *, as_of=None, **_context):
    """A status and the date it held on: a date printed with it ("withdrew on 2 November
    2011", "2011年11月8日当选") wins over `as_of`."""
    rest, date = split_date(clean(value), bare_year=True)
    status = read_status(rest)
    dated_in_value = date is not None
    date = date or as_partial_date(as_of)
    key = status.value if date is None else f"{status.value} ({date.isoformat()})"
    return Normalized(
        key=key,
        data={
            "status": status.value,
            "on": date.isoformat() if date else None,
            "dated_in_value": dated_in_value,
        },
    )


def _status_date(normalized, as_of):
    """A date printed in the value, else the claim's date now, else the one it was read with."""
    data = normalized.data
    if data.get("dated_in_value") or as_of is None:
        return as_partial_date(data.get("on"))
    return as_partial_date(as_of)


def statuses_conflict(a, b, *, a_as_of=None, b_as_of=None, **_context):
    """Different statuses on the same day, both dates known to the day."""
    if a.data["status"] == b.data["status"]:
        return False
    first, second = _status_date(a, a_as_of), _status_date(b, b_as_of)
    if first is None or second is None or first.day is None or second.day is None:
        return False
    return first.earliest() == second.earliest()
