from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from negotiations.models import Negotiation
from proposals.models import Proposal


def home(request: HttpRequest) -> HttpResponse:
    proposals = Proposal.objects.select_related("tabled_by").order_by("tabled_on", "id")
    negotiations = Negotiation.objects.prefetch_related(
        Prefetch("proposals", queryset=proposals, to_attr="proposal_list")
    ).order_by("-started_on", "title")
    return render(request, "negotiations/home.html", {"negotiations": negotiations})
