"""The named scenarios of the test newsrooms (see the package's docstring).

Every text in them is written for the tests.
"""

from elections.models import CandidateName, Contradiction, Property
from elections.services import candidate_update
from sources.dates import PartialDate
from tests.factories import make_user
from tests.newsroom.builder import Newsroom
from tests.newsroom.leaks import leaks

DAILY = (
    "Liu Ping, 47, a steelworker from Xinyu, said the officials kept her off the ballot. "
    "Xu Yan, 27, stands in Hongzhou according to this paper."
)
WIRE = (
    "Xu Yan lives in Hangzhou and sells advertising. "
    "Liu Ping, 52, is described as a retired worker by the wire."
)
CHINESE = "刘萍今年四十七岁，是新余市的参选人。"
QUIET = "Hidden Person talked to Quiet Outlet about nothing at all."


def public_site():
    """The public pages, the API, the exports and the cache read this one."""
    room = Newsroom()
    room.add_places("Jiangxi", "Xinyu", "Zhejiang", "Hangzhou", "Hubei", "Sichuan")
    room.daily = room.add_article(
        DAILY,
        outlet="Example Daily",
        title="Candidates outside the capital",
        published="2011-06-20",
        url="https://example.org/reports/1",
    )
    room.wire = room.add_article(
        WIRE, outlet="Second Wire", title="Two profiles", published="2011-09"
    )
    room.chinese = room.add_article(
        CHINESE, outlet="示例日报", title="新余参选人", published="2011-06-12", language="zh-Hans"
    )
    room.quiet = room.add_article(QUIET, outlet="Quiet Outlet", title="Nobody cites this")
    room.add_archived_copy(
        room.daily, "<html><body><p>The daily's page as fetched.</p></body></html>"
    )
    room.add_archived_copy(room.quiet, "<html><body><p>Nobody cites this page.</p></body></html>")

    liu = room.liu = room.add_candidate(
        "Liu Ping", name_zh="刘萍", gender="female", birth_year=1964
    )
    room.add_name(liu, "Liú Píng", CandidateName.Kind.PINYIN)
    room.liu_run = room.stand(liu, "Xinyu", polling="2011-04-15")
    room.liu_age = room.add_verified(liu, Property.AGE, "47", room.daily)
    room.add_verified(liu, Property.NAME_ZH, "刘萍", room.chinese)
    room.liu_city = room.add_verified(liu, Property.CITY, "新余市", room.chinese)
    declared = PartialDate(2011, 3, 1)
    room.add_verified(liu, Property.STATUS, "declared", room.chinese, "参选人", as_of=declared)
    barred = "kept her off the ballot"
    room.add_verified(
        liu, Property.STATUS, "barred", room.daily, barred, as_of=PartialDate(2011, 4)
    )
    room.unverified = room.add_claim(liu, Property.OCCUPATION, "steelworker", room.daily)
    room.rejected = room.add_claim(liu, Property.OCCUPATION, "retired worker", room.wire)
    room.reject(room.rejected, "Not what the wire says.")

    xu = room.xu = room.add_candidate("Xu Yan", gender="male")
    room.xu_run = room.stand(xu, "Hangzhou")
    room.misprint = room.add_verified(xu, Property.CITY, "Hongzhou", room.daily)
    room.xu_city = room.add_verified(xu, Property.CITY, "Hangzhou", room.wire)
    room.add_verified(xu, Property.OCCUPATION, "sells advertising", room.wire)
    room.city_dispute = room.resolve(
        xu,
        Property.CITY,
        Contradiction.Verdict.ONE_RIGHT,
        "No place has that name; a misprint.",
        right=room.xu_city,
    )
    room.ruiyan = room.add_candidate("Xu Ruiyan")

    room.hidden = room.add_candidate("Hidden Person", "Qianjiang", name_zh="隐藏人")
    room.add_verified(
        room.hidden, Property.OCCUPATION, "talker", room.quiet, "talked to Quiet Outlet"
    )
    room.gone = room.add_candidate("Withdrawn Person", "Chengdu")

    room.publish(liu, xu, room.gone)
    room.withdraw(room.gone, "Taken down for review.")
    room.merge(xu, room.ruiyan)
    # Verified after publication, so its contradiction with the age of 47 stays open.
    room.later_age = room.add_verified(liu, Property.AGE, "52", room.wire)
    # An editor's change to a published profile waits for a reviewer: never public.
    room.proposal = candidate_update(
        candidate=liu, display_name="Quxv Proposed Name", acting_user=room.editor
    ).proposal
    return room


LIST_DAILY = (
    "Liu Ping, 47, was barred in Xinyu. Wang Xiuzhen declared early and was defeated in "
    "Ningbo in the end. Zhang Kai was elected, a rumour said."
)
LIST_WIRE = "Liu Ping, 52, spoke to the wire. Xu Yan declared in Hangzhou."


def candidate_list(*, fillers=27):
    """The candidate list's filters, search and pages read this one."""
    room = Newsroom()
    room.add_places("Jiangxi", "Xinyu", "Zhejiang", "Hangzhou", "Ningbo", "Beijing", "Wuhan")
    daily = room.add_article(LIST_DAILY, outlet="Example Daily", published="2011-11-09")
    wire = room.add_article(LIST_WIRE, outlet="Second Wire", published="2011-11-10")

    liu = room.liu = room.add_candidate("Liu Ping", "Xinyu", name_zh="刘萍", gender="female")
    room.add_verified(liu, Property.STATUS, "barred", daily)
    room.homophone = room.add_candidate("Liu Ping", "Beijing", name_zh="刘平", gender="male")
    room.xu = room.add_candidate("Xu Yan", "Hangzhou", gender="male")
    room.add_name(room.xu, "Xu Ruiyan")
    room.add_verified(room.xu, Property.STATUS, "declared", wire, "Xu Yan declared")
    wang = room.wang = room.add_candidate("Wang Xiuzhen", "Ningbo", gender="female")
    june, polling = PartialDate(2011, 6), PartialDate(2011, 11, 8)
    room.add_verified(wang, Property.STATUS, "declared", daily, "Wang Xiuzhen declared", as_of=june)
    room.add_verified(wang, Property.STATUS, "defeated", daily, as_of=polling)
    room.zhang = room.add_candidate("Zhang Kai", "Beijing", gender="male")
    room.add_claim(room.zhang, Property.STATUS, "elected", daily)
    room.hidden = room.add_candidate("Hidden Liu", "Wuhan", name_zh="刘隐")
    room.add_verified(room.hidden, Property.STATUS, "declared", daily, "declared early")
    room.fillers = [room.add_candidate(f"Filler {n:02d}", "Beijing") for n in range(fillers)]
    room.publish(liu, room.homophone, room.xu, wang, room.zhang, *room.fillers)
    # Verified after publication: an open contradiction with nothing else public about her.
    room.add_verified(liu, Property.AGE, "47", daily)
    room.add_verified(liu, Property.AGE, "52", wire)
    return room


REPORT = (
    "The candidate, 44, declared in the spring and was barred in the autumn; a neighbour "
    "said she had been elected, which nobody else reported. Ningbo and Hangzhou both voted."
)
SECOND = "The candidate is 51 years old, says this later report, and was barred in Ningbo."
LONE = "A lone report puts the candidate's age at 61 and says nothing else at all."


def performance(*, size=30):
    """The faster shapes of the public pages read this one; `size` fillers share Ningbo."""
    room = Newsroom()
    room.add_places("Zhejiang", "Ningbo", "Hangzhou", "Hubei", "Wuhan")
    room.ningbo_poll = room.election_in("Ningbo", polling="2011-11-08")
    room.hangzhou_poll = room.election_in("Hangzhou", polling="2011-11-16")
    room.wuhan_poll = room.election_in("Wuhan")
    report = room.report = room.add_article(REPORT, outlet="Morning Post", published="2011-11-20")
    room.second = room.add_article(SECOND, outlet="Evening Wire", published="2011-11-25")
    room.lone = room.add_article(LONE, outlet="Lone Gazette", published="2011-11-26")

    # Two runs: barred in Ningbo in May, declared in Hangzhou in June. The latest step is
    # the declaration, whichever candidacy it belongs to. A step a reviewer rejected later
    # (elected, in November) is not public and does not count.
    runner = room.runner = room.add_candidate("Gao Lan", name_zh="高兰", gender="female")
    ningbo_run, hangzhou_run = room.stand(runner, "Ningbo"), room.stand(runner, "Hangzhou")
    room.add_verified(
        runner,
        Property.STATUS,
        "barred",
        report,
        "barred in the autumn",
        candidacy=ningbo_run,
        as_of=PartialDate(2011, 5, 2),
    )
    room.add_verified(
        runner,
        Property.STATUS,
        "declared",
        report,
        "declared in the spring",
        candidacy=hangzhou_run,
        as_of=PartialDate(2011, 6, 1),
    )
    room.rumour = room.add_verified(
        runner,
        Property.STATUS,
        "elected",
        report,
        "had been elected",
        candidacy=hangzhou_run,
        as_of=PartialDate(2011, 11, 16),
    )
    room.reject(room.rumour, "Nobody else reported it.")

    # Two ages from two outlets; the verdict finds the lone gazette's wrong, so its claim is
    # overruled. No other public claim cites that gazette or its article.
    room.disputed = room.add_candidate("Fang Yu", "Ningbo", name_zh="方宇", gender="male")
    right = room.add_verified(room.disputed, Property.AGE, "51", room.second)
    room.wrong = room.add_verified(room.disputed, Property.AGE, "61", room.lone)
    verdict = Contradiction.Verdict.ONE_RIGHT
    room.resolve(
        room.disputed, Property.AGE, verdict, "The gazette misprinted the age.", right=right
    )

    # Fillers in Ningbo, each with an age from the morning post.
    room.fillers = []
    for number in range(size):
        filler = room.add_candidate(f"Filler {number:02d}", "Ningbo")
        room.add_verified(filler, Property.AGE, "44", report)
        room.fillers.append(filler)
    room.draft = room.add_candidate("Draft Person", "Wuhan")
    room.add_verified(room.draft, Property.AGE, "44", report, "44")
    room.publish(runner, room.disputed, *room.fillers)
    return room


ROLES_TEXT = "Liu Ping, 47, registered in Xinyu. A second report gave her age as 52."


def roles():
    """Only the editor is made: the role tests make the other users they need."""
    room = Newsroom(editor=make_user("Editors", username="editor"))
    room.liu = room.add_candidate("Liu Ping", name_zh="刘萍")
    room.article = room.add_article(ROLES_TEXT, outlet="Ballot Notes", published="2011-06-12")
    second = room.add_article("Liu Ping is 52.", outlet="Other Desk", published="2011-06-13")
    room.age = room.add_claim(room.liu, Property.AGE, "47", room.article)
    room.other_age = room.add_claim(room.liu, Property.AGE, "52", second)
    room.city = room.add_claim(room.liu, Property.CITY, "Xinyu", room.article)
    room.contradiction = Contradiction.objects.get()
    return room


SHEETS_POST = (
    "Xu Yan, 27, was described as a candidate in Hongzhou, in Zhejiang province. "
    "He declared his candidacy on his microblog on 26 May 2011."
)
SHEETS_TANIS = (
    "Xu Yan, 27, a sales executive, is standing in a district of Hangzhou. "
    "Liu Ping, 47, an independent in Jiangxi, was barred from the April vote and withdrew."
)


def sheets():
    """The places the candidate sheets name (`make_places`), two candidates, two articles."""
    from tests.elections.fixtures_sheets import make_places

    room = Newsroom()
    room.places = make_places()
    room.xu = room.add_candidate("Xu Yan", room.places["Hangzhou"], slug="xu-yan")
    room.liu = room.add_candidate("Liu Ping", room.places["Xinyu"], name_zh="刘萍", slug="liu-ping")
    room.post = room.add_article(
        SHEETS_POST, outlet="The Washington Post", title="Post report", published="2011"
    )
    room.tanis = room.add_article(
        SHEETS_TANIS,
        outlet="Remko Tanis",
        title="Tanis feature",
        published="2018-09-25",
        url="https://remkotanis.example/feature",
    )
    return room


SCENARIOS = {
    "public site": public_site,
    "candidate list": candidate_list,
    "performance": performance,
    "leaks": leaks,
    "roles": roles,
    "sheets": sheets,
}
