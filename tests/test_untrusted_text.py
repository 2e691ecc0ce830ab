"""Texts come from news reports: markup in them is shown as text everywhere, and cells a
spreadsheet would run as formulas are defused in every CSV."""

from __future__ import annotations

import csv
import io

import pytest

from parties.models import Party
from proposals.models import Proposal, Stance
from proposals.services import position_record, proposal_create, source_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]

SCRIPT = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def hostile(demo, django_capture_on_commit_callbacks):
    ukraine = Party.objects.get(slug="ukraine")
    russia = Party.objects.get(slug="russia")
    source = source_create(title=f"Report {SCRIPT}", publisher=FORMULA, url="https://example.org/r")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(
            negotiation=demo,
            title=f"Truce {SCRIPT}",
            kind="ceasefire",
            tabling_parties=[ukraine],
            tabled_on=demo.rounds.get().starts_on,
            summary=SCRIPT,
            text=FORMULA,
            sources=[source],
        )
        position_record(
            proposal=proposal,
            party=russia,
            stance=Stance.REJECTS,
            stated_on=demo.rounds.get().starts_on,
            quote=f"{FORMULA} {SCRIPT}",
            source=source,
            round=demo.rounds.get(),
        )
    return proposal


def _assert_shown_as_text(body: str, where: str) -> None:
    assert SCRIPT not in body, f"raw <script> in {where}"
    assert "&lt;script&gt;" in body, f"the text itself is missing from {where}"


def test_markup_in_reported_text_is_escaped_on_every_page(client, hostile: Proposal):
    negotiation = hostile.negotiation
    pages = [
        "/",
        f"/negotiations/{negotiation.slug}/",
        f"/negotiations/{negotiation.slug}/rounds/2/",
        f"/proposals/{hostile.pk}/",
        f"/terms/{hostile.terms.first().pk}/" if hostile.terms.exists() else None,
        "/parties/russia/",
        "/search/?q=truce",
    ]
    for url in filter(None, pages):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_shown_as_text(response.content.decode(), url)


def test_markup_is_escaped_in_the_atom_feed(
    client, hostile: Proposal, django_capture_on_commit_callbacks
):
    from xml.etree import ElementTree

    from parties.services import party_update

    with django_capture_on_commit_callbacks(execute=True):
        party_update(party=Party.objects.get(slug="russia"), short_name=f"Russia {SCRIPT}")
    atom = "{http://www.w3.org/2005/Atom}"
    for url in ("/feeds/status-changes/", f"/feeds/status-changes/{hostile.negotiation.slug}/"):
        feed = ElementTree.fromstring(client.get(url).content)
        entries = feed.findall(f"{atom}entry")
        assert entries, url
        # A reader renders type="html" summaries as HTML: after XML decoding, what is
        # left must be escaped markup, never a live tag.
        summaries = [e.find(f"{atom}summary").text for e in entries]
        assert any("&lt;script&gt;" in text for text in summaries), url
        assert not any("<script>" in text for text in summaries), url
        titles = [e.find(f"{atom}title").text for e in entries]
        assert any(SCRIPT in title for title in titles)  # plain text: shown as text


def _rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_formulas_are_defused_in_page_and_api_csv(client, hostile: Proposal):
    exports = [
        "/parties/russia/?format=csv",
        f"/negotiations/{hostile.negotiation.slug}/rounds/2/?format=csv",
        "/search/?q=truce&format=csv",
        f"/api/v1/positions/?proposal={hostile.pk}&format=csv",
        "/api/v1/sources/?format=csv",
        f"/api/v1/proposals/?negotiation={hostile.negotiation_id}&format=csv",
    ]
    client.force_login(_analyst())
    for url in exports:
        cells = [cell for row in _rows(client.get(url)) for cell in row]
        assert cells, url
        assert not any(c.startswith(("=", "+", "@")) for c in cells), url
        if any("HYPERLINK" in c for c in cells):
            assert any(c.startswith("'=HYPERLINK") or "'=HYPERLINK" in c for c in cells), url


def _analyst():
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("reader", password="a-long-password-1")
    user.groups.add(Group.objects.get_or_create(name="analyst")[0])
    return user
