"""Routes of the REST API (mounted at /api/v1/ by negotiations/urls.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from negotiations.api import auth
from negotiations.resources import delegations
from negotiations.resources import rounds as structure
from parties import api as parties_api
from proposals.api import (
    agenda,
    deleted,
    figures,
    ledger,
    links,
    negotiations,
    positions,
    proposals,
    ratification,
    rounds,
    sources,
    terms,
    timeline,
)
from proposals.api.outcome.view import RoundOutcomeView

router = DefaultRouter()
router.include_format_suffixes = False  # ?format=csv instead of .csv
router.register("parties", parties_api.PartyViewSet, basename="party")
router.register("people", parties_api.PersonViewSet, basename="person")
router.register("negotiations", negotiations.NegotiationViewSet, basename="negotiation")
router.register("participations", structure.ParticipationViewSet, basename="participation")
router.register("rounds", rounds.RoundViewSet, basename="round")
router.register("delegations", delegations.DelegationViewSet, basename="delegation")
router.register(
    "delegation-members", delegations.DelegationMemberViewSet, basename="delegation-member"
)
router.register("sources", sources.SourceViewSet, basename="source")
router.register("proposals", proposals.ProposalViewSet, basename="proposal")
router.register("agenda-items", agenda.AgendaItemViewSet, basename="agenda-item")
router.register("proposal-links", links.ProposalLinkViewSet, basename="proposal-link")
router.register("terms", terms.TermViewSet, basename="term")
router.register("positions", positions.PositionViewSet, basename="position")
router.register(
    "implementation-events", ledger.ImplementationEventViewSet, basename="implementation-event"
)
router.register(
    "ratification-steps", ratification.RatificationStepViewSet, basename="ratification-step"
)
router.register("commitments", ledger.CommitmentViewSet, basename="commitment")
router.register("figures", figures.FigureViewSet, basename="figure")
router.register("status-changes", timeline.StatusChangeViewSet, basename="status-change")

urlpatterns = [
    # Before the router's rounds/<id>/, which would take "outcome" for an id.
    path("rounds/outcome/", RoundOutcomeView.as_view(), name="api-round-outcome"),
    path("deleted/", deleted.DeletedView.as_view(), name="api-deleted"),
    path("auth/tokens/", auth.TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_key>/", auth.TokenDetailView.as_view(), name="api-token"),
    path("auth/me/", auth.MeView.as_view(), name="api-me"),
    *router.urls,
]
