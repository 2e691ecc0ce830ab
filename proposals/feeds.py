"""Atom feeds of proposal status changes: all negotiations, or one."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from negotiations.models import Negotiation
from proposals.models import StatusChange

ENTRIES = 50


class StatusChangesFeed(Feed):
    feed_type = Atom1Feed
    subtitle = "Proposals that became agreed, rejected, open or were carried out."

    def get_object(self, request: HttpRequest, slug: str | None = None) -> Negotiation | None:
        return get_object_or_404(Negotiation, slug=slug) if slug else None

    def link(self, obj: Negotiation | None) -> str:
        return reverse("negotiation", args=[obj.slug]) if obj else reverse("home")

    def feed_url(self, obj: Negotiation | None) -> str:
        if obj:
            return reverse("negotiation-status-feed", args=[obj.slug])
        return reverse("status-feed")

    def title(self, obj: Negotiation | None) -> str:
        return f"Parley: status changes in {obj.title}" if obj else "Parley: status changes"

    def items(self, obj: Negotiation | None) -> QuerySet[StatusChange]:
        changes = StatusChange.objects.filter(term__isnull=True).select_related(
            "proposal__negotiation"
        )
        if obj is not None:
            changes = changes.filter(proposal__negotiation=obj)
        return changes.order_by("-changed_on", "-id")[:ENTRIES]

    def item_title(self, item: StatusChange) -> str:
        return f"{item.proposal.title}: {item.get_status_display().lower()}"

    def item_description(self, item: StatusChange) -> str:
        before = item.get_previous_status_display().lower() if item.previous_status else "new"
        # Atom marks the summary as HTML: the reason names parties (editors' text).
        return escape(f"{before} → {item.get_status_display().lower()}: {item.reason}")

    def item_link(self, item: StatusChange) -> str:
        # Stable across recomputes (the rows are rebuilt, their ids are not): a proposal
        # changes status at most once a day.
        url = reverse("proposal", args=[item.proposal_id])
        return f"{url}#change-{item.changed_on.isoformat()}-{item.status}"

    def item_updateddate(self, item: StatusChange) -> datetime.datetime:
        return datetime.datetime.combine(item.changed_on, datetime.time(), tzinfo=datetime.UTC)

    def item_pubdate(self, item: StatusChange) -> datetime.datetime:
        return self.item_updateddate(item)

    def item_categories(self, item: StatusChange) -> list[str]:
        return [item.status, item.proposal.negotiation.title]
