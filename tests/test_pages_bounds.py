"""Every analyst page is bounded: long lists come a page at a time, with a link to the
next, and a page makes as many queries on a set twice as large."""

# ruff: noqa: F811  (pytest fixtures imported from tests/page_fixtures.py)
import datetime
import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from negotiations.models import Negotiation, Round
from parties.models import Party
from proposals.models import Position, Proposal
from proposals.synthetic import generate

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 7, 1)


def _say(party: Party, proposal: Proposal, n: int) -> None:
    Position.objects.bulk_create(
        Position(
            party=party,
            proposal=proposal,
            stance="undecided",
            stated_on=DAY + datetime.timedelta(days=i),
            note=f"Statement number {i}.",
        )
        for i in range(n)
    )


def _articles(page: str) -> int:
    return len(re.findall(r'<article class="position"', page))


def test_the_party_page_shows_a_page_of_positions_and_a_link_to_the_next(client, demo):
    russia = Party.objects.get(slug="russia")
    before = Position.objects.filter(party=russia).count()
    _say(russia, Proposal.objects.get(title__startswith="Leaders"), 40)
    page = client.get("/parties/russia/").content.decode()
    assert _articles(page) == 25
    assert "Statement number 39." in page and "Statement number 14." not in page
    assert 'rel="next" href="/parties/russia/?page=2"' in page
    second = client.get("/parties/russia/?page=2").content.decode()
    assert _articles(second) == min(25, before + 40 - 25)
    assert "Statement number 14." in second and 'rel="prev"' in second


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²", "9" * 5000])
def test_a_page_number_that_is_not_one_is_a_400(client, demo, page):
    assert client.get("/parties/russia/", {"page": page}).status_code == 400
    assert client.get("/", {"page": page}).status_code == 400


def test_the_home_page_lists_negotiations_a_page_at_a_time(client, demo):
    Negotiation.objects.bulk_create(
        Negotiation(title=f"Talks number {i:02d}", slug=f"talks-{i:02d}", started_on=DAY)
        for i in range(12)
    )
    page = client.get("/").content.decode()
    assert page.count('<article class="card"') == 10
    assert 'rel="next" href="/?page=2"' in page
    second = client.get("/?page=2").content.decode()
    assert second.count('<article class="card"') == 3
    assert "Russia–Ukraine direct talks" in page + second


def test_a_negotiation_card_shows_its_latest_proposals_and_links_to_all(client, demo):
    Proposal.objects.bulk_create(
        Proposal(negotiation=demo, title=f"Extra proposal {i}", kind="other", tabled_on=DAY)
        for i in range(5)
    )
    demo.refresh_from_db()
    demo.status_summary["proposals"]["total"] = 11  # as the next recompute will count them
    Negotiation.objects.filter(pk=demo.pk).update(status_summary=demo.status_summary)
    page = client.get("/").content.decode()
    assert page.count('<ul class="proposal-list">') == 1
    card = page.split('<ul class="proposal-list">')[1].split("</ul>")[0]
    assert card.count("<li>") == 8 and "Extra proposal 4" in card
    assert 'href="/negotiations/russia-ukraine-istanbul-2025/">All 11 proposals</a>' in page


def test_the_proposal_page_shows_each_partys_latest_statements_and_links_to_all(client, demo):
    summit = Proposal.objects.get(title__startswith="Leaders")
    _say(Party.objects.get(slug="ukraine"), summit, 60)
    page = client.get(f"/proposals/{summit.pk}/").content.decode()
    assert "The latest 10 of 60 statements" in page
    assert "Statement number 59." in page and "Statement number 49." not in page
    assert f'href="/proposals/{summit.pk}/positions/"' in page
    everything = client.get(f"/proposals/{summit.pk}/positions/").content.decode()
    assert _articles(everything) == 50
    assert f'rel="next" href="/proposals/{summit.pk}/positions/?page=2"' in everything
    rest = client.get(f"/proposals/{summit.pk}/positions/?page=2").content.decode()
    total = Position.objects.filter(proposal=summit).count()
    assert _articles(rest) == total - 50
    assert client.get(f"/proposals/{summit.pk}/positions/?page=x").status_code == 400


def test_search_results_come_a_page_at_a_time(client, demo):
    Proposal.objects.bulk_create(
        Proposal(negotiation=demo, title=f"Truce plan {i}", kind="other", tabled_on=DAY)
        for i in range(55)
    )
    titles = re.compile(r"<mark>Truce</mark> plan \d+</a>")
    page = client.get("/search/", {"q": "truce"}).content.decode()
    assert len(titles.findall(page)) == 50
    assert 'rel="next"' in page and "page=2" in page
    second = client.get("/search/", {"q": "truce", "page": 2}).content.decode()
    assert len(titles.findall(second)) == 5
    wrong = client.get("/search/", {"q": "truce", "page": "many"})
    assert wrong.status_code == 200 and "Page: Enter a whole number." in wrong.content.decode()


def test_search_ignores_accents_and_finds_parties_by_alias(client, demo):
    Proposal.objects.create(
        negotiation=demo, title="Talks hosted by Türkiye", kind="other", tabled_on=DAY
    )
    Party.objects.create(name="Republic of Córdova", slug="cordova", aliases=["Cordovan State"])
    page = client.get("/search/", {"q": "Turkiye"}).content.decode()
    assert "Talks hosted by" in page
    page = client.get("/search/", {"q": "cordovan"}).content.decode()
    assert 'href="/parties/cordova/"' in page
    page = client.get("/search/", {"q": "cordova"}).content.decode()
    assert 'href="/parties/cordova/"' in page


def _biggest_pages() -> dict[str, str]:
    negotiation = Negotiation.objects.annotate(n=Count("proposals")).order_by("-n", "id")[0]
    round_ = (
        Round.objects.filter(negotiation=negotiation)
        .annotate(n=Count("positions"))
        .order_by("-n", "number")[0]
    )
    proposal = Proposal.objects.annotate(n=Count("positions")).order_by("-n", "id")[0]
    party = Party.objects.annotate(n=Count("positions")).order_by("-n", "id")[0]
    return {
        "home": "/",
        "negotiation": f"/negotiations/{negotiation.slug}/",
        "round": f"/negotiations/{negotiation.slug}/rounds/{round_.number}/",
        "proposal": f"/proposals/{proposal.pk}/",
        "positions": f"/proposals/{proposal.pk}/positions/",
        "party": f"/parties/{party.slug}/",
        "search": "/search/?q=ceasefire",
    }


def test_each_page_makes_as_many_queries_on_a_set_twice_as_large(
    client, django_assert_max_num_queries
):
    generate(positions=1500, seed=21)
    small = _biggest_pages()
    counts = {}
    for name, url in small.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries)
    generate(positions=3000, seed=22)
    large = _biggest_pages()
    assert large["proposal"] != small["proposal"] and large["party"] != small["party"]
    for name, url in large.items():
        with django_assert_max_num_queries(counts[name]):
            assert client.get(url).status_code == 200, name


def test_the_round_page_shows_a_page_of_statements_and_a_link_to_the_next(client, demo):
    round_ = Round.objects.get(negotiation=demo, number=2)
    before = Position.objects.filter(round=round_).count()
    Position.objects.bulk_create(
        Position(
            party=Party.objects.get(slug="ukraine"),
            proposal=Proposal.objects.get(title__startswith="Leaders"),
            stance="undecided",
            stated_on=DAY,
            round=round_,
        )
        for _ in range(60)
    )
    url = "/negotiations/russia-ukraine-istanbul-2025/rounds/2/"
    page = client.get(url).content.decode()
    assert _articles(page) == 50
    assert f"Statements 1 to 50 of {before + 60}" in page
    assert f'rel="next" href="{url}?page=2#statements-h"' in page
    assert _articles(client.get(url + "?page=2").content.decode()) == before + 10
