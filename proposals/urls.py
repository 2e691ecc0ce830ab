from django.urls import path

from proposals import feeds, search
from proposals.views import negotiations, parties, proposal_positions, proposals, rounds

urlpatterns = [
    path("", negotiations.home, name="home"),
    path("negotiations/<slug:slug>/", negotiations.negotiation_detail, name="negotiation"),
    path(
        "negotiations/<slug:slug>/rounds/<int:number>/",
        rounds.round_detail,
        name="round",
    ),
    path("parties/<slug:slug>/", parties.party_detail, name="party"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal"),
    path(
        "proposals/<int:pk>/positions/",
        proposal_positions.proposal_positions,
        name="proposal-positions",
    ),
    path(
        "proposals/<int:pk>/compare/<int:other_pk>/",
        proposals.proposal_compare,
        name="proposal-compare",
    ),
    path("terms/<int:pk>/", proposals.term_detail, name="term"),
    path("search/", search.search, name="search"),
    path("feeds/status-changes/", feeds.StatusChangesFeed(), name="status-feed"),
    path(
        "feeds/status-changes/<slug:slug>/",
        feeds.StatusChangesFeed(),
        name="negotiation-status-feed",
    ),
]
