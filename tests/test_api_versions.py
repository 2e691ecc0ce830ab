"""The stored content version behind a proposal detail's ETag: PostgreSQL triggers bump it
on every write to the proposal or to a row its detail shows, whatever wrote it (a service,
a queryset update, raw SQL in bulk); a conditional GET reads only that version."""

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.db.models import F

from negotiations.models import Participation, Round
from parties.models import Party
from proposals.models import (
    AgendaItem,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Source,
    StatusChange,
    Tabling,
    Term,
)
from proposals.models.content import ContentBump, fold_bumps, live_content
from proposals.tasks import fold_content_bumps
from tests.api_support import (
    api_env,  # noqa: F401
    etag_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]


def content_version(proposal: Proposal) -> int:
    """The version the API reads: the column plus the proposal's unfolded bump rows."""
    return content_versions()[proposal.pk]


def content_versions() -> dict[int, int]:
    versions = Proposal.objects.annotate(**live_content())
    return dict(versions.values_list("pk", "live_content_version"))


def raw(sql: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def memorandum(demo) -> Proposal:
    return Proposal.objects.get(kind="memorandum")


def _other(proposal: Proposal) -> Proposal:
    return Proposal.objects.exclude(pk=proposal.pk).filter(negotiation=proposal.negotiation)[0]


def _a_term_copy(proposal: Proposal) -> None:
    term = proposal.terms.order_by("ordinal")[0]
    term.pk, term.ordinal = None, 99
    term.save()


def _a_link_from_another(proposal: Proposal) -> None:
    ProposalLink.objects.create(from_proposal=_other(proposal), to_proposal=proposal, kind="amends")


def _a_linked_proposal_renamed(proposal: Proposal) -> None:
    other = _other(proposal)
    ProposalLink.objects.create(from_proposal=proposal, to_proposal=other, kind="responds_to")
    before = content_version(proposal)
    Proposal.objects.filter(pk=other.pk).update(title="Renamed")
    assert content_version(proposal) > before


def _an_agenda_item_renamed(proposal: Proposal) -> None:
    item = AgendaItem.objects.create(negotiation=proposal.negotiation, number=77, title="Item")
    item.proposals.add(proposal)
    before = content_version(proposal)
    AgendaItem.objects.filter(pk=item.pk).update(title="Item, renamed")
    assert content_version(proposal) > before


def _a_cited_source_retitled(proposal: Proposal) -> None:
    source = Source.objects.order_by("id")[0]
    proposal.sources.add(source)
    before = content_version(proposal)
    Source.objects.filter(pk=source.pk).update(title="Retitled")
    assert content_version(proposal) > before


def _a_term_source_added(proposal: Proposal) -> None:
    proposal.terms.order_by("ordinal")[0].sources.add(Source.objects.order_by("id")[0])


def _an_implementation_event_recorded(proposal: Proposal) -> None:
    term = proposal.terms.order_by("ordinal")[0]
    ImplementationEvent.objects.create(term=term, happened_on="2025-06-10", quantity=1)


def _a_principal_renamed(proposal: Proposal) -> None:
    principal = Participation.objects.filter(negotiation=proposal.negotiation)[0].party
    Party.objects.filter(pk=principal.pk).update(name="Renamed party")


def _a_participation_changed(proposal: Proposal) -> None:
    Participation.objects.filter(negotiation=proposal.negotiation).update(note="changed")


WRITES: dict[str, Callable[[Proposal], object]] = {
    "its own row (a queryset update)": lambda p: Proposal.objects.filter(pk=p.pk).update(
        summary="Changed"
    ),
    "a term inserted": _a_term_copy,
    "a term updated in bulk": lambda p: Term.objects.filter(proposal=p).update(note="n"),
    "a term deleted": lambda p: p.terms.order_by("-ordinal")[0].delete(),
    "a tabling deleted": lambda p: Tabling.objects.filter(proposal=p).delete(),
    "a required party added": lambda p: p.required_parties.add(Party.objects.order_by("id")[0]),
    "a mediator added": lambda p: p.mediators.add(Party.objects.order_by("id")[0]),
    "a link from another proposal": _a_link_from_another,
    "a linked proposal renamed": _a_linked_proposal_renamed,
    "a ratification step": lambda p: RatificationStep.objects.create(
        proposal=p, ordinal=1, body_kind="parliament", body_name="Parliament"
    ),
    "an agenda item renamed": _an_agenda_item_renamed,
    "a cited source retitled": _a_cited_source_retitled,
    "a term's source added": _a_term_source_added,
    "a position updated by raw SQL": lambda p: raw(
        "UPDATE proposals_position SET note = 'raw' WHERE proposal_id = %s", p.pk
    ),
    "an implementation event": _an_implementation_event_recorded,
    "a status change": lambda p: StatusChange.objects.filter(proposal=p).delete(),
    "a principal renamed": _a_principal_renamed,
    "a participation changed": _a_participation_changed,
    "its round's first day": lambda p: Round.objects.filter(proposals=p).update(
        starts_on=F("starts_on") - datetime.timedelta(days=1)
    ),
    "every term at once by raw SQL": lambda p: raw("UPDATE proposals_term SET note = note || '.'"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_the_content_version_moves_with_each_kind_of_write(memorandum, write):
    before = content_versions()
    concerned = write(memorandum)  # the memorandum, unless it names another proposal
    concerned = concerned if isinstance(concerned, Proposal) else memorandum
    after = Proposal.objects.annotate(**live_content()).get(pk=concerned.pk)
    assert after.live_content_version > before[concerned.pk]
    assert after.live_content_changed_at >= after.created_at


def test_a_bulk_write_bumps_each_proposal_once_per_statement(demo):
    versions = content_versions()
    raw("UPDATE proposals_term SET note = note || '.'")
    with_terms = set(Term.objects.values_list("proposal_id", flat=True))
    after = content_versions()
    for pk, version in versions.items():
        assert after[pk] == version + (1 if pk in with_terms else 0), pk


def test_the_audit_bookkeeping_and_a_round_summary_do_not_move_it(memorandum):
    before = content_version(memorandum)
    Proposal.objects.filter(pk=memorandum.pk).update(status_verified_at=F("created_at"))
    Round.objects.filter(proposals=memorandum).update(status_summary_at=F("created_at"))
    assert content_version(memorandum) == before


def test_a_write_elsewhere_does_not_move_it(memorandum):
    before = content_version(memorandum)
    other = (
        Proposal.objects.exclude(pk=memorandum.pk)
        .exclude(links_in__from_proposal=memorandum)
        .exclude(links_out__to_proposal=memorandum)[0]
    )
    Term.objects.filter(proposal=other).update(note="elsewhere")
    Position.objects.filter(proposal=other).update(note="elsewhere")
    assert content_version(memorandum) == before


def test_a_304_is_one_query(client, memorandum, django_assert_num_queries):
    url = f"/api/v1/proposals/{memorandum.pk}/"
    first = client.get(url)
    with django_assert_num_queries(1):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag_of(first))
    assert again.status_code == 304
    with django_assert_num_queries(1):
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_a_304_as_of_a_day_is_one_query_and_its_etag_differs(
    client, memorandum, django_assert_num_queries
):
    url = f"/api/v1/proposals/{memorandum.pk}/?as_of=2025-06-01"
    first = client.get(url)
    assert etag_of(first) != etag_of(client.get(f"/api/v1/proposals/{memorandum.pk}/"))
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag_of(first)).status_code == 304


def test_a_term_write_answers_the_old_etag_with_the_new_content(client, memorandum):
    url = f"/api/v1/proposals/{memorandum.pk}/"
    first = client.get(url)
    raw("UPDATE proposals_term SET text = 'Rewritten' WHERE proposal_id = %s", memorandum.pk)
    again = client.get(url, HTTP_IF_NONE_MATCH=etag_of(first))
    assert again.status_code == 200
    assert "Rewritten" in {term["text"] for term in again.json()["terms"]}
    assert client.get(url, HTTP_IF_NONE_MATCH=etag_of(again)).status_code == 304


def test_a_bad_as_of_is_a_400_even_when_conditional(client, memorandum):
    url = f"/api/v1/proposals/{memorandum.pk}/?as_of=yesterday"
    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 400


def test_a_repeated_read_is_one_query_and_a_write_shows_at_once(
    client, memorandum, django_assert_num_queries
):
    url = f"/api/v1/proposals/{memorandum.pk}/"
    first = client.get(url)
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.json() == first.json()
    Term.objects.filter(proposal=memorandum).update(note="Noted after the first read")
    assert {term["note"] for term in client.get(url).json()["terms"]} == {
        "Noted after the first read"
    }


def _queries_of(client, url: str) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_list_costs_the_same_queries_whatever_the_table_holds(client, demo):
    url = "/api/v1/positions/"
    before = _queries_of(client, url)
    position = Position.objects.order_by("id")[0]
    copies = []
    for _ in range(150):  # more than a page
        position.pk = None
        copies.append(
            Position(
                **{f.attname: getattr(position, f.attname) for f in Position._meta.concrete_fields}
            )
        )
    Position.objects.bulk_create(copies)
    assert _queries_of(client, url) == before <= 2


def test_a_repeated_proposals_list_reads_only_its_fingerprint(
    client, demo, django_assert_num_queries
):
    url = f"/api/v1/proposals/?negotiation={demo.pk}"
    first = client.get(url)
    with django_assert_num_queries(1):
        assert client.get(url).json() == first.json()


def test_a_change_a_listed_row_shows_changes_the_list_etag_and_page(client, memorandum):
    url = f"/api/v1/proposals/?negotiation={memorandum.negotiation_id}"
    first = client.get(url)
    raw(
        "INSERT INTO proposals_proposal_mediators (proposal_id, party_id) VALUES (%s, %s)",
        memorandum.pk,
        Party.objects.exclude(proposals_mediated=memorandum).order_by("id")[0].pk,
    )
    again = client.get(url, HTTP_IF_NONE_MATCH=etag_of(first))
    assert again.status_code == 200
    listed = {row["id"]: row for row in again.json()["results"]}
    before = {row["id"]: row for row in first.json()["results"]}
    assert len(listed[memorandum.pk]["mediators"]) == len(before[memorandum.pk]["mediators"]) + 1


def test_a_cache_that_is_down_slows_reads_but_never_fails_them(client, memorandum, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert client.get(f"/api/v1/proposals/{memorandum.pk}/").status_code == 200
    assert (
        client.get(f"/api/v1/proposals/?negotiation={memorandum.negotiation_id}").status_code == 200
    )


@pytest.mark.django_db(transaction=True)
def test_writers_bumping_overlapping_proposals_in_opposite_orders_both_commit(demo):
    """The triggers take no lock on the proposal rows: one writer writes a row of A then
    one of B, the other a row of B then one of A, each holding its first write while the
    other makes its own; both commit (a lock on A and B taken by the triggers would
    deadlock them)."""
    a, b = Proposal.objects.order_by("id").values_list("pk", flat=True)[:2]
    before = content_versions()
    both_wrote_once = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def writer(order: tuple[int, int], ordinal: int) -> None:
        try:
            with transaction.atomic():
                for n, pk in enumerate(order):
                    RatificationStep.objects.create(
                        proposal_id=pk, ordinal=ordinal, body_kind="parliament", body_name="P"
                    )
                    if n == 0:
                        both_wrote_once.wait()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=((a, b), 11)),
        threading.Thread(target=writer, args=((b, a), 12)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    after = content_versions()
    assert (after[a], after[b]) == (before[a] + 2, before[b] + 2)


def test_a_fold_keeps_every_etag_and_empties_the_bumps(client, memorandum):
    url = f"/api/v1/proposals/{memorandum.pk}/"
    raw("UPDATE proposals_term SET note = note || '.'")
    first = client.get(url)
    assert ContentBump.objects.filter(proposal_id=memorandum.pk).exists()
    versions = content_versions()
    list_url = f"/api/v1/proposals/?negotiation={memorandum.negotiation_id}"
    listed = client.get(list_url)

    assert fold_content_bumps() >= 1

    assert not ContentBump.objects.exists()
    assert content_versions() == versions
    stored = Proposal.objects.values_list("content_version", flat=True).get(pk=memorandum.pk)
    assert stored == versions[memorandum.pk]  # folded into the column, not bumped again
    assert client.get(url, HTTP_IF_NONE_MATCH=etag_of(first)).status_code == 304
    assert client.get(url)["Last-Modified"] == first["Last-Modified"]
    assert client.get(list_url, HTTP_IF_NONE_MATCH=etag_of(listed)).status_code == 304


def test_a_fold_drops_the_bumps_of_deleted_proposals(memorandum):
    other = _other(memorandum)
    Term.objects.filter(proposal=other).update(note="bumped")
    Proposal.objects.filter(pk=other.pk).delete()
    assert ContentBump.objects.filter(proposal_id=other.pk).exists()
    fold_bumps()
    assert not ContentBump.objects.filter(proposal_id=other.pk).exists()


def test_a_save_of_a_proposal_read_before_a_fold_does_not_take_its_version_back(memorandum):
    stale = Proposal.objects.get(pk=memorandum.pk)
    raw("UPDATE proposals_term SET note = 'n' WHERE proposal_id = %s", memorandum.pk)
    fold_bumps()
    before = content_version(memorandum)
    stale.summary = "Saved from a read made before the fold"
    stale.save()
    assert content_version(memorandum) == before + 1


def test_beat_folds_the_content_bumps_every_minute():
    from django.conf import settings

    from negotiations.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["fold-content-bumps"]
    assert entry["schedule"] == 60.0
    assert app.tasks[entry["task"]].run == fold_content_bumps.run
