from django.urls import path

from proposals import feeds, search, views

urlpatterns = [
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path(
        "proposals/<int:pk>/compare/<int:other_pk>/",
        views.proposal_compare,
        name="proposal-compare",
    ),
    path("terms/<int:pk>/", views.term_detail, name="term"),
    path("search/", search.search, name="search"),
    path("feeds/status-changes/", feeds.StatusChangesFeed(), name="status-feed"),
    path(
        "feeds/status-changes/<slug:slug>/",
        feeds.StatusChangesFeed(),
        name="negotiation-status-feed",
    ),
]
