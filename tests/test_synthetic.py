import pytest
from django.core.management import call_command

from negotiations.models import Negotiation, Participation, Role
from parties.models import Party
from proposals.models import ImplementationEvent, Position, Proposal, Stance, Term
from proposals.refresh import refresh_proposals
from proposals.synthetic import generate

pytestmark = pytest.mark.django_db


def _content() -> list[tuple[object, ...]]:
    return list(
        Position.objects.order_by(
            "proposal__title", "stated_on", "party__slug", "stance", "pk"
        ).values_list(
            "proposal__negotiation__slug",
            "proposal__title",
            "term__ordinal",
            "party__slug",
            "stance",
            "stated_on",
        )
    )


def test_the_same_seed_generates_the_same_data():
    generate(positions=3000, seed=11)
    first = _content()
    Negotiation.objects.all().delete()
    Party.objects.all().delete()
    generate(positions=3000, seed=11)
    assert _content() == first
    assert len(first) == 3000
    Negotiation.objects.all().delete()
    Party.objects.all().delete()
    generate(positions=3000, seed=12)
    assert _content() != first


def test_synthetic_negotiations_have_the_shapes_of_real_ones():
    counts = generate(positions=30000, seed=3)
    assert counts.negotiations == 3
    assert Participation.objects.filter(roles__contains=[Role.PRINCIPAL]).count() >= 6
    assert Participation.objects.filter(roles__contains=[Role.MEDIATOR]).exists()
    assert len(counts.by_kind) >= 8
    assert Term.objects.exclude(option_group="").exists()
    conditional = Position.objects.filter(stance=Stance.CONDITIONAL)
    assert conditional.filter(conditional_on__isnull=False).exists()
    assert ImplementationEvent.objects.exists()
    assert Term.objects.filter(quantity__isnull=False).exists()
    results = refresh_proposals(proposal_ids=Proposal.objects.values_list("pk", flat=True))
    assert all(r.refreshed and r.cleared for r in results)
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert len(statuses) >= 4, statuses


def test_the_command_reports_what_it_generated(capsys):
    call_command("generate_synthetic", positions=500, seed=5, no_progress=True)
    assert "500 positions" in capsys.readouterr().out
