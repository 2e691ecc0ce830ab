"""Routes of the REST API (mounted at /api/v1/ by negotiations/urls.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from negotiations.api import auth as api_auth
from negotiations.api import changes as api_sync
from negotiations.resources import negotiations as api
from negotiations.resources import rounds as api_rounds
from parties import api as parties_api
from proposals import api as proposals_api
from proposals import api_ledger

router = DefaultRouter()
router.include_format_suffixes = False  # ?format=csv instead of .csv
router.register("parties", parties_api.PartyViewSet, basename="party")
router.register("people", parties_api.PersonViewSet, basename="person")
router.register("negotiations", api.NegotiationViewSet, basename="negotiation")
router.register("participations", api_rounds.ParticipationViewSet, basename="participation")
router.register("rounds", api_rounds.RoundViewSet, basename="round")
router.register("delegations", api_rounds.DelegationViewSet, basename="delegation")
router.register("sources", proposals_api.SourceViewSet, basename="source")
router.register("proposals", proposals_api.ProposalViewSet, basename="proposal")
router.register("proposal-links", api_ledger.ProposalLinkViewSet, basename="proposal-link")
router.register("terms", proposals_api.TermViewSet, basename="term")
router.register("positions", api_ledger.PositionViewSet, basename="position")
router.register(
    "implementation-events", api_ledger.ImplementationEventViewSet, basename="implementation-event"
)
router.register("status-changes", api_ledger.StatusChangeViewSet, basename="status-change")

urlpatterns = [
    path("deleted/", api_sync.DeletedView.as_view(), name="api-deleted"),
    path("auth/tokens/", api_auth.TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_key>/", api_auth.TokenDetailView.as_view(), name="api-token"),
    path("auth/me/", api_auth.MeView.as_view(), name="api-me"),
    *router.urls,
]
