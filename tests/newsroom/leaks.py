"""The "leaks" scenario: a public record and, beside it, everything the public must never
see, marked (read by tests/elections/test_leaks.py)."""

import itertools

from elections.models import CandidateName, Contradiction, Place, Property
from elections.services import (
    candidate_submit_for_review,
    contradiction_flag,
    contradiction_resolve,
    place_name_add,
)
from sources.audit import system_user
from sources.models import Article, Outlet, Passage
from tests.newsroom.builder import Newsroom

# Long enough that no public passage's context (32 characters) reaches the next sentence.
GAP = " The weather that week was unremarkable across the whole of the region. "
LEAKS_PUBLIC = GAP.join(
    [
        "Liu Ping, 47, runs as an independent in Xinyu.",
        "Zhang Kai works as a lawyer in Hangzhou.",
        "An unverified aside calls her a Quxvsinger.",
        "A rejected line calls her a Quxvdancer.",
        "Another line calls her a Quxvpainter.",
        "A line soon rejected says she works for Wexqcarpenter.",
        "Zhang Kai was said to be 44 years old.",
        "刘萍的别名是曌萍。",
    ]
)
LEAKS_HIDDEN = "Quxvdraft Person, 33, told Quxvpress she would stand in Quxvtown."
LEAKS_SOON = "Wexqwithdrawn Person, 51, spoke to the Wexq Courier in Hangzhou."
LEAKS_SECOND = "Zhang Kai, 52, said the wire got his age wrong."


def leaks(*, fillers=27):
    """Latin text the public must not see holds "Quxv", Chinese "曌"; what the cache test
    takes away holds "Wexq" and "鍪" (see tests/elections/test_leaks.py)."""
    room = Newsroom()
    editor, reviewer = room.editor, room.reviewer
    room.add_places("Zhejiang", "Hangzhou", "Jiangxi", "Xinyu")
    room.quxv_province = room.add_place("Quxvland", "曌省", level="province", code="990000")
    room.quxv_town = room.add_place("Quxvtown", "曌城市", parent=room.quxv_province, code="990100")
    place_name_add(place=room.quxv_town, name="Quxvburg", acting_user=system_user())
    # Wikidata items on everything hidden, so that the QuickStatements export would write
    # their facts (quotes holding "Quxv") were the rule of what is public broken.
    Place.objects.filter(pk=room.quxv_town.pk).update(wikidata="Q9900100")
    Place.objects.filter(pk=room.xinyu.pk).update(wikidata="Q3600500")
    public_election = room.election_in("Hangzhou")
    hidden_election = room.election_in(room.quxv_town)
    hidden_election.name = "Quxvtown People's Congress"
    hidden_election.notes = "Quxv election note"
    hidden_election.save()
    public_election.notes = "Quxv public election note"
    public_election.save()

    public_article = room.public_article = room.add_article(
        LEAKS_PUBLIC,
        outlet="Example Daily",
        title="Independents in two provinces",
        published="2011-06-20",
        url="https://example.org/independents",
    )
    room.add_archived_copy(
        public_article, "<html><body><p>The report as fetched.</p></body></html>"
    )
    Article.objects.filter(pk=public_article.pk).update(notes="Quxv article note")
    Outlet.objects.filter(pk=public_article.outlet_id).update(
        notes="Quxv outlet note", wikidata="Q1100001"
    )
    room.second_article = room.add_article(
        LEAKS_SECOND, outlet="Second Wire", title="Age questions", published="2011-07"
    )
    room.hidden_article = room.add_article(
        LEAKS_HIDDEN,
        outlet="Quxvpress",
        homepage="https://quxvpress.example/",
        title="Quxv exclusive",
        url="https://quxvpress.example/exclusive",
        byline="Quxv Byline",
        published="2011-05",
    )
    Outlet.objects.filter(pk=room.hidden_article.outlet_id).update(wikidata="Q9900200")
    room.add_archived_copy(
        room.hidden_article, "<html><body><p>Quxv archived page</p></body></html>"
    )
    room.soon_article = room.add_article(
        LEAKS_SOON, outlet="Wexq Courier", title="Wexq profile", url="https://wexq.example/p"
    )
    room.add_archived_copy(room.soon_article, "<html><body><p>Wexq archived page</p></body></html>")

    # The public record.
    liu = room.liu = room.add_candidate(
        "Liu Ping", name_zh="刘萍", gender="female", notes="Quxv internal note", wikidata="Q1000001"
    )
    liu.weibo = "quxv_weibo_account"
    liu.save()
    room.add_name(liu, "Liú Píng", CandidateName.Kind.PINYIN, note="Quxv name note")
    liu_run = room.stand(liu, "Xinyu")
    liu_run.notes = "Quxv candidacy note"
    liu_run.save()
    room.liu_age = room.add_verified(
        liu, Property.AGE, "47", public_article, note="Quxv claim note"
    )
    Passage.objects.filter(pk=room.liu_age.passage_id).update(note="Quxv passage note")
    room.add_verified(liu, Property.CITY, "Xinyu", public_article)
    room.add_verified(liu, Property.STATUS, "declared", public_article, "runs as an independent")
    zhang = room.zhang = room.add_candidate("Zhang Kai", "Hangzhou", gender="male")
    room.add_verified(zhang, Property.OCCUPATION, "lawyer", public_article)
    room.fillers = [
        room.add_candidate(f"Filler Person {number:02d}", "Hangzhou") for number in range(fillers)
    ]

    # What must never show, on the public candidates.
    room.add_claim(liu, Property.OCCUPATION, "Quxvsinger", public_article)
    dancer = room.add_claim(liu, Property.OCCUPATION, "Quxvdancer", public_article)
    room.reject(dancer, "Quxv rejection reason")
    # An overruled claim whose dispute is not public: the other version was never verified.
    painter = room.add_verified(liu, Property.OCCUPATION, "Quxvpainter", public_article)
    unverified_side = room.add_claim(liu, Property.OCCUPATION, "曌萍", public_article)
    dispute = contradiction_flag(
        claim_a=painter, claim_b=unverified_side, acting_user=editor, note="Quxv flag note"
    )
    contradiction_resolve(
        contradiction=dispute,
        verdict=Contradiction.Verdict.ALL_WRONG,
        note="Quxv verdict note",
        acting_user=reviewer,
    )

    # Candidates the public must never see, each with a verified claim and a place of its own.
    hidden_items = itertools.count(1)

    def hidden_candidate(name, name_zh):
        candidate = room.add_candidate(
            name,
            room.quxv_town,
            name_zh=name_zh,
            notes="Quxv hidden note",
            wikidata=f"Q99{next(hidden_items)}",
        )
        room.add_name(candidate, f"{name} Other")
        room.add_verified(candidate, Property.AGE, "33", room.hidden_article, "33")
        room.add_verified(candidate, Property.CITY, "Quxvtown", room.hidden_article)
        return candidate

    room.draft = hidden_candidate("Quxvdraft Person", "曌草")
    room.in_review = hidden_candidate("Quxvreview Person", "曌审")
    candidate_submit_for_review(candidate=room.in_review, acting_user=editor)
    room.withdrawn = hidden_candidate("Quxvwithdrawn Person", "曌退")
    room.publish(room.withdrawn)
    room.withdraw(room.withdrawn, "Quxv withdrawal")
    room.draft_survivor = hidden_candidate("Quxvsurvivor Person", "曌存")
    room.merged = hidden_candidate("Quxvmerged Person", "曌并")
    room.merge(room.draft_survivor, room.merged)
    # Merged into a published record: its address redirects there, its notes stay internal.
    room.absorbed = room.add_candidate("Zhang K.", notes="Quxv absorbed note")

    # Public until the cache test takes it away.
    soon = room.soon_withdrawn = room.add_candidate(
        "Wexqwithdrawn Person", "Hangzhou", name_zh="鍪退"
    )
    room.add_verified(soon, Property.AGE, "51", room.soon_article)
    # Not an occupation: a new occupation would reopen the flagged dispute above.
    room.soon_rejected = room.add_verified(liu, Property.EMPLOYER, "Wexqcarpenter", public_article)

    room.publish(liu, zhang, soon, *room.fillers)
    room.merge(zhang, room.absorbed)
    # A public dispute between two verified ages (verified after publication, so it stays
    # open), whose flag note is internal.
    room.add_verified(zhang, Property.AGE, "44", public_article)
    room.add_verified(zhang, Property.AGE, "52", room.second_article)
    # A third version, never verified, from the hidden outlet: the public never sees it.
    room.add_claim(zhang, Property.AGE, "33", room.hidden_article, "33")
    public_dispute = Contradiction.objects.get(candidate=zhang, property=Property.BIRTH_YEAR)
    assert public_dispute.group_count == 3
    Contradiction.objects.filter(pk=public_dispute.pk).update(flag_note="Quxv internal flag")
    return room
