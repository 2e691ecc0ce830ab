"""Every write that can change a status asks the one dependency map
(proposals/dependencies.py), and the map answers right for each kind of write."""

from __future__ import annotations

import ast
import datetime
import inspect
import textwrap
from collections.abc import Callable
from types import ModuleType

import pytest

import negotiations.services
import parties.services
from negotiations.models import Role
from negotiations.services import (
    negotiation_create,
    participation_create,
    participation_delete,
    participation_update,
    round_create,
    round_update,
)
from parties.services import party_update
from proposals.dependencies import affected_proposal_ids
from proposals.models import LinkKind, Position, Proposal, ProposalLink, Stance
from proposals.services import (
    checks,
    figures,
    implementation_event_delete,
    implementation_event_record,
    implementation_event_update,
    ledger,
    position_delete,
    position_record,
    positions,
    proposal_create,
    proposal_delete,
    proposal_link_create,
    proposal_link_delete,
    proposal_update,
    proposals,
    sources,
    term_create,
    term_delete,
    term_update,
    terms,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 2)

SERVICE_MODULES: list[ModuleType] = [
    checks,
    figures,
    ledger,
    positions,
    proposals,
    sources,
    terms,
    negotiations.services,
    parties.services,
]

# The calls that mark statuses stale: the map itself, mark_stale (which asks it), and the
# signal by which the lower apps reach the receiver (which asks it).
MARKS = {"affected_proposal_ids", "mark_stale", "mark_negotiations_stale"}
SIGNALS = {"statuses_affected"}

# Writes that cannot change any status: the engine reads none of what they write.
CANNOT_CHANGE_A_STATUS = {
    "source_create",  # sources are cited, never read by the engine
    "source_update",
    "negotiation_create",  # a new negotiation has no proposals yet
    "negotiation_update",  # title, slug, summary and dates: no rule or reason reads them
    "delegation_create",  # who sat at the table: the engine reads positions, not seats
    "delegation_update",
    "delegation_delete",
    "delegation_member_create",  # the title and role a delegate held: shown, never read
    "delegation_member_update",
    "delegation_member_delete",
    "party_create",  # a new party takes part in nothing yet
    "person_create",  # speakers are shown with positions, never read by the engine
    "person_update",
    # A deleted figure, even the counted one, leaves its owner's quantity as it is
    # (figure_create/figure_update do change one, through the owner's service).
    "figure_delete",
}

# Public functions of the services modules that write nothing: checks the writes share.
NOT_WRITES = {"ensure_participant", "require_reason", "normalised_url"}


def _public_functions(module: ModuleType) -> dict[str, Callable[..., object]]:
    return {
        name: function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == module.__name__
    }


def _calls(function: Callable[..., object]) -> set[str]:
    """Names this function calls: `f(...)` gives f, `signal.send(...)` gives signal."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(function))))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.attr == "send"
            ):
                names.add(func.value.id)
    return names


def _is_atomic(function: Callable[..., object]) -> bool:
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(function)))
    return "@transaction.atomic" in source.split("def ", 1)[0]


SERVICES = {
    name: function
    for module in SERVICE_MODULES
    for name, function in _public_functions(module).items()
}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_that_writes_asks_the_dependency_map(name):
    function = SERVICES[name]
    if name in NOT_WRITES:
        assert not _is_atomic(function), f"{name} opens a transaction: is it a write after all?"
        return
    assert _is_atomic(function), f"{name}: a write runs in one transaction (or list it)"
    marks = _calls(function) & (MARKS | SIGNALS)
    if name in CANNOT_CHANGE_A_STATUS:
        assert not marks, f"{name} marks statuses stale: take it off the allow-list"
        return
    assert marks, (
        f"{name} writes but neither asks the dependency map (mark_stale, "
        "affected_proposal_ids) nor sends statuses_affected; if it truly cannot change a "
        "status, add it to CANNOT_CHANGE_A_STATUS with the reason."
    )


def test_the_allow_lists_name_real_services():
    assert SERVICES.keys() >= (CANNOT_CHANGE_A_STATUS | NOT_WRITES)


def test_the_walk_finds_the_services():
    assert {"position_record", "round_update", "party_update", "term_delete"} <= SERVICES.keys()


# --- behaviour: what each kind of write marks ----------------------------------------------


@pytest.fixture
def web(negotiation, parties, django_capture_on_commit_callbacks):
    """P has a term t; Q is conditional on t, R on Q's term (transitively on P); P
    supersedes O; U is in another negotiation. Nothing is stale at the start."""

    def table(title: str) -> Proposal:
        return proposal_create(negotiation=negotiation, title=title, kind="other", tabled_on=DAY)

    older, p, q, r = (table(t) for t in "OPQR")
    t = term_create(proposal=p, text="t")
    q_term = term_create(proposal=q, text="q")
    term_create(proposal=r, text="r")
    for proposal, on in ((q, t), (r, q_term)):
        position_record(
            proposal=proposal,
            party=parties["ru"],
            stance=Stance.CONDITIONAL,
            stated_on=DAY,
            conditions="if",
            conditional_on=[on],
        )
    proposal_link_create(from_proposal=p, to_proposal=older, kind=LinkKind.SUPERSEDES)
    elsewhere = negotiation_create(title="Other talks")
    participation_create(negotiation=elsewhere, party=parties["tr"], roles=[Role.PRINCIPAL])
    u = proposal_create(negotiation=elsewhere, title="U", kind="other", tabled_on=DAY)
    Proposal.objects.update(status_stale=False)
    return {"O": older, "P": p, "Q": q, "R": r, "U": u, "t": t}


def _stale(web) -> set[str]:
    names = {w.pk: name for name, w in web.items() if isinstance(w, Proposal)}
    return {
        names[pk] for pk in Proposal.objects.filter(status_stale=True).values_list("pk", flat=True)
    }


DOWNSTREAM_OF_P = {"P", "Q", "R", "O"}  # P, its conditional dependants, what it supersedes


def test_the_map_follows_conditions_and_supersessions_transitively(web):
    ids = affected_proposal_ids(proposal_ids=[web["P"].pk])
    assert ids == {web[n].pk for n in DOWNSTREAM_OF_P}
    assert affected_proposal_ids(proposal_ids=[web["O"].pk]) == {web["O"].pk}
    assert affected_proposal_ids(term_ids=[web["t"].pk]) == ids


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        pytest.param(
            lambda w, p: position_record(
                proposal=w["P"], party=p["ua"], stance=Stance.ACCEPTS, stated_on=DAY
            ),
            DOWNSTREAM_OF_P,
            id="position_record",
        ),
        pytest.param(
            lambda w, p: position_delete(
                position=Position.objects.filter(proposal=w["Q"]).first(), reason="typo"
            ),
            {"Q", "R"},
            id="position_delete",
        ),
        pytest.param(
            lambda w, p: term_create(proposal=w["P"], text="more"),
            DOWNSTREAM_OF_P,
            id="term_create",
        ),
        pytest.param(
            lambda w, p: term_update(term=w["t"], quantity=5, unit="bodies"),
            DOWNSTREAM_OF_P,
            id="term_update",
        ),
        pytest.param(
            lambda w, p: term_delete(term=w["t"], reason="typo"), DOWNSTREAM_OF_P, id="term_delete"
        ),
        pytest.param(
            lambda w, p: implementation_event_record(term=w["t"], happened_on=DAY, quantity=1),
            DOWNSTREAM_OF_P,
            id="implementation_event_record",
        ),
        pytest.param(
            lambda w, p: proposal_update(proposal=w["P"], tabled_on=DAY - datetime.timedelta(1)),
            DOWNSTREAM_OF_P,
            id="proposal_update",
        ),
        pytest.param(
            lambda w, p: proposal_delete(proposal=w["P"], reason="twice"),
            {"Q", "R", "O"},
            id="proposal_delete",
        ),
        pytest.param(
            lambda w, p: proposal_link_delete(link=ProposalLink.objects.get(), reason="typo"),
            DOWNSTREAM_OF_P,
            id="proposal_link_delete",
        ),
        pytest.param(
            lambda w, p: proposal_link_create(
                from_proposal=w["R"], to_proposal=w["Q"], kind=LinkKind.SUPERSEDES
            ),
            {"Q", "R"},
            id="proposal_link_create",
        ),
        pytest.param(
            lambda w, p: participation_update(
                participation=w["P"].negotiation.participations.get(party=p["tr"]),
                roles=[Role.PRINCIPAL],
            ),
            {"O", "P", "Q", "R"},
            id="participation_update",
        ),
        pytest.param(
            lambda w, p: participation_delete(
                participation=w["P"].negotiation.participations.get(party=p["tr"]), reason="no"
            ),
            {"O", "P", "Q", "R"},
            id="participation_delete",
        ),
        pytest.param(
            lambda w, p: round_create(negotiation=w["P"].negotiation, number=9, starts_on=DAY),
            {"O", "P", "Q", "R"},
            id="round_create",
        ),
        pytest.param(
            lambda w, p: party_update(party=p["tr"], short_name="TR"),
            {"O", "P", "Q", "R", "U"},
            id="party_update",
        ),
    ],
)
def test_each_kind_of_write_marks_what_the_map_says(web, parties, write, expected):
    write(web, parties)
    assert _stale(web) == expected


def test_event_updates_and_deletes_mark_downstream(web):
    event = implementation_event_record(term=web["t"], happened_on=DAY, quantity=1)
    Proposal.objects.update(status_stale=False)
    implementation_event_update(event=event, quantity=2)
    assert _stale(web) == DOWNSTREAM_OF_P
    Proposal.objects.update(status_stale=False)
    implementation_event_delete(event=event, reason="typo")
    assert _stale(web) == DOWNSTREAM_OF_P


def test_moving_a_round_marks_its_negotiation(web, negotiation):
    round_ = round_create(negotiation=negotiation, number=9, starts_on=DAY)
    Proposal.objects.update(status_stale=False)
    round_update(round=round_, starts_on=DAY + datetime.timedelta(1))
    assert _stale(web) == {"O", "P", "Q", "R"}
