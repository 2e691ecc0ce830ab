"""Search across proposals, terms and quoted positions (PostgreSQL full text), with the
analysts' filters and the matches highlighted."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryCombinable,
    SearchRank,
    SearchVectorField,
)
from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from negotiations.core.exports import csv_response, csv_url, wants_csv
from negotiations.core.folding import Fold, names_matching
from negotiations.models import Negotiation
from parties.models import Party, Person
from proposals.models import (
    Position,
    Proposal,
    ProposalKind,
    Status,
    Tabling,
    Term,
    tablings_prefetch,
)
from proposals.page_data import page_url

CONFIG = "english"
PAGE = 50
# Results are ranked; a page deeper than this is better served by narrowing the search
# (or the CSV export), and an offset costs what it skips.
MAX_PAGE = 20
CSV_LIMIT = 2000
# ts_headline marks matches with these private-use characters; the text is escaped
# first and only then are they turned into <mark>, so quoted HTML stays inert.
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.S)


def highlighted(text: str | None) -> SafeString:
    html = _MARKED.sub(r"<mark>\1</mark>", escape(text or ""))
    return mark_safe(html.replace(START, "").replace(STOP, ""))  # noqa: S308


def plain(text: str | None) -> str:
    return (text or "").replace(START, "").replace(STOP, "")


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=200)
    negotiation = forms.ChoiceField(label="Negotiation", required=False)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *ProposalKind.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Status.choices]
    )
    party = forms.ChoiceField(label="Party", required=False)
    page = forms.IntegerField(label="Page", required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, negotiations: list[Any], parties: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        negotiation, party = self.fields["negotiation"], self.fields["party"]
        assert isinstance(negotiation, forms.ChoiceField) and isinstance(party, forms.ChoiceField)
        negotiation.choices = [("", "All negotiations"), *negotiations]
        party.choices = [("", "Any party"), *parties]


def _headline(expression: Any, query: Any, **options: Any) -> SearchHeadline:
    return SearchHeadline(
        expression, query, config=CONFIG, start_sel=START, stop_sel=STOP, **options
    )


def _involves(party: str) -> Q:
    """Proposals the party tabled or took a position on."""
    spoke = Position.objects.filter(proposal=OuterRef("pk"), party__slug=party)
    tabled = Tabling.objects.filter(proposal=OuterRef("pk"), party__slug=party)
    return Q(Exists(tabled)) | Q(Exists(spoke))


def _filtered(qs: QuerySet[Any], filters: dict[str, str], to_proposal: str, status: str) -> Any:
    """The negotiation, kind and status filters, reached from the searched model through
    `to_proposal` ("" for proposals, "proposal__" for terms and positions)."""
    if filters.get("negotiation"):
        qs = qs.filter(**{f"{to_proposal}negotiation__slug": filters["negotiation"]})
    if filters.get("kind"):
        qs = qs.filter(**{f"{to_proposal}kind": filters["kind"]})
    if filters.get("status"):
        qs = qs.filter(**{status: filters["status"]})
    return qs


class StoredVector(Expression):
    """The row's stored, accent-folded search vector: a generated column with a GIN index
    (proposals 0016, parties 0004) that the models do not declare, read on the queried
    table under whatever alias it has (a subquery renames it)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{alias}.search_vector", []


def folded_query(text: str) -> SearchQuery:
    """The query as the stored vectors are folded: `parley_fold` by the database."""
    return SearchQuery(Fold(Value(text)), search_type="websearch", config=CONFIG)


def highlight_query(text: str) -> SearchQueryCombinable:
    """Headlines read the texts as written: the words as typed or folded."""
    typed = SearchQuery(text, search_type="websearch", config=CONFIG)
    return typed | folded_query(text)


def _best(
    matching: QuerySet[Any],
    query: SearchQuery,
    order: tuple[str, ...],
    rows: slice,
) -> QuerySet[Any]:
    """The ids of the matching rows on the page `rows`, best ranked first: a subquery on
    the searched table alone (the rows are joined and headlined only for that page)."""
    found = matching.annotate(search=StoredVector()).filter(search=query)
    ranked = found.annotate(rank=SearchRank(F("search"), query)).order_by("-rank", *order)
    return ranked.values("pk")[rows]


def _page_of(
    qs: QuerySet[Any], best: QuerySet[Any], query: SearchQuery, order: tuple[str, ...]
) -> QuerySet[Any]:
    return (
        qs.filter(pk__in=best)
        .annotate(rank=SearchRank(StoredVector(), query))
        .order_by("-rank", *order)
    )


def search_proposals(text: str, filters: dict[str, str], rows: slice) -> list[Proposal]:
    matching = _filtered(Proposal.objects.all(), filters, "", "status")
    if filters.get("party"):
        matching = matching.filter(_involves(filters["party"]))
    qs = Proposal.objects.select_related("negotiation").prefetch_related(tablings_prefetch())
    if not text:
        return list(
            qs.filter(pk__in=matching.order_by("-tabled_on", "id").values("pk")[rows])
            .annotate(title_hl=F("title"), snippet=F("summary"))
            .order_by("-tabled_on", "id")
        )
    query, marks, order = folded_query(text), highlight_query(text), ("-tabled_on", "id")
    best = _best(matching, query, order, rows)
    return list(
        _page_of(qs, best, query, order).annotate(
            title_hl=_headline("title", marks, highlight_all=True),
            snippet=_headline(
                Concat("summary", Value(" "), "text", output_field=TextField()),
                marks,
                max_words=40,
                min_words=15,
            ),
        )
    )


def search_terms(text: str, filters: dict[str, str], rows: slice) -> list[Term]:
    matching = _filtered(Term.objects.all(), filters, "proposal__", "status")
    if filters.get("party"):
        spoke = Position.objects.filter(
            proposal=OuterRef("proposal_id"), party__slug=filters["party"]
        )
        tabled = Tabling.objects.filter(
            proposal=OuterRef("proposal_id"), party__slug=filters["party"]
        )
        matching = matching.filter(Q(Exists(tabled)) | Q(Exists(spoke)))
    query, order = folded_query(text), ("proposal_id", "ordinal")
    best = _best(matching, query, order, rows)
    qs = Term.objects.select_related("proposal__negotiation")
    return list(
        _page_of(qs, best, query, order).annotate(
            text_hl=_headline("text", highlight_query(text), highlight_all=True)
        )
    )


def search_positions(text: str, filters: dict[str, str], rows: slice) -> list[Position]:
    matching = _filtered(Position.objects.all(), filters, "proposal__", "proposal__status")
    if filters.get("party"):
        matching = matching.filter(party__slug=filters["party"])
    query, marks, order = folded_query(text), highlight_query(text), ("-stated_on", "id")
    best = _best(matching, query, order, rows)
    qs = Position.objects.select_related(
        "party", "proposal__negotiation", "term", "speaker", "source"
    )
    return list(
        _page_of(qs, best, query, order).annotate(
            quote_hl=_headline("quote", marks, highlight_all=True),
            extra_hl=_headline(
                Concat(
                    "conditions",
                    Value(" "),
                    "reservations",
                    Value(" "),
                    "note",
                    output_field=TextField(),
                ),
                marks,
                max_words=30,
                min_words=10,
            ),
        )
    )


NAMES_SHOWN = 10


def names_found(text: str) -> dict[str, list[Any]]:
    """Parties and people whose name or an alias contains the text, accents and case
    ignored ("turkiye" finds Türkiye, "zelensky" an alias of Zelenskyy)."""
    words = Q(search=folded_query(text))  # the stored vectors: word forms, several words
    parties = (
        Party.objects.annotate(search=StoredVector())
        .filter(words | names_matching(text, ("name", "short_name"), ("aliases",)))
        .order_by("name")
    )
    people = (
        Person.objects.annotate(search=StoredVector())
        .filter(words | names_matching(text, ("name",), ("aliases",)))
        .select_related("party")
        .order_by("name")
    )
    return {"parties": list(parties[:NAMES_SHOWN]), "people": list(people[:NAMES_SHOWN])}


def search(request: HttpRequest) -> HttpResponse:
    negotiations = list(Negotiation.objects.order_by("title").values_list("slug", "title"))
    parties = list(Party.objects.order_by("name").values_list("slug", "name"))
    form = SearchForm(request.GET or None, negotiations=negotiations, parties=parties)
    filters: dict[str, str] = {}
    text = ""
    page = 1
    if form.is_bound and form.is_valid():
        text = form.cleaned_data["q"].strip()
        filters = {
            key: form.cleaned_data[key]
            for key in ("negotiation", "kind", "status", "party")
            if form.cleaned_data[key]
        }
        page = form.cleaned_data["page"] or 1
    searched = bool(text or filters)
    # One page of each kind of result (and one more row, to know whether a next page
    # exists); the CSV has the first CSV_LIMIT of each.
    first, last = (0, CSV_LIMIT) if wants_csv(request) else ((page - 1) * PAGE, page * PAGE + 1)
    proposals: list[Proposal] = []
    terms: list[Term] = []
    positions: list[Position] = []
    rows = slice(first, last)
    if searched:
        proposals = search_proposals(text, filters, rows)
    if text:
        terms = search_terms(text, filters, rows)
        positions = search_positions(text, filters, rows)
    names = names_found(text) if text and page == 1 and not wants_csv(request) else {}
    if wants_csv(request):
        return _results_csv(request, proposals, terms, positions)
    # The rows carry their headlines (annotations) and get their HTML for the template.
    item: Any
    for item in proposals:
        item.title_html, item.snippet_html = highlighted(item.title_hl), highlighted(item.snippet)
    for item in terms:
        item.text_html = highlighted(item.text_hl)
    for item in positions:
        item.quote_html = highlighted(item.quote_hl)
        # A headline without a match is only the first words: show the full text instead.
        item.extra_html = highlighted(item.extra_hl) if START in (item.extra_hl or "") else None
    return render(
        request,
        "proposals/search.html",
        {
            "form": form,
            "text": text,
            "searched": searched,
            "proposals": proposals[:PAGE],
            "terms": terms[:PAGE],
            "positions": positions[:PAGE],
            "more": {
                "proposals": len(proposals) > PAGE,
                "terms": len(terms) > PAGE,
                "positions": len(positions) > PAGE,
            },
            "names": names,
            "page": page,
            "previous_url": page_url(request, page - 1) if page > 1 else "",
            "next_url": (
                page_url(request, page + 1)
                if page < MAX_PAGE and max(len(proposals), len(terms), len(positions)) > PAGE
                else ""
            ),
            "total": len(proposals) + len(terms) + len(positions) + sum(map(len, names.values())),
            "csv_url": csv_url(request),
        },
    )


def _results_csv(
    request: HttpRequest, proposals: list[Proposal], terms: list[Term], positions: list[Position]
) -> HttpResponse:
    def url(name: str, pk: int) -> str:
        return request.build_absolute_uri(reverse(name, args=[pk]))

    rows: list[list[Any]] = []
    for p in proposals:
        rows.append(
            ["proposal", p.pk, p.negotiation.title, p.title, "", "", "", p.status]
            + [p.summary, p.tabled_on, url("proposal", p.pk)]
            + [p.tabled_on_precision if p.tabled_on else ""]
        )
    for t in terms:
        rows.append(
            ["term", t.pk, t.proposal.negotiation.title, t.proposal.title, t.label or t.ordinal]
            + ["", "", t.status, t.text, "", url("term", t.pk)]
            + [""]
        )
    for pos in positions:
        rows.append(
            ["position", pos.pk, pos.proposal.negotiation.title, pos.proposal.title]
            + [pos.term.label or pos.term.ordinal if pos.term else "", pos.party.display_name]
            + [pos.stance, pos.proposal.status, pos.quote, pos.stated_on]
            + [url("proposal", pos.proposal_id) + f"#position-{pos.pk}"]
            + [pos.stated_on_precision]
        )
    header = ["type", "id", "negotiation", "proposal", "term", "party", "stance", "status"]
    header += ["text", "date", "url"]
    header += ["date_precision"]
    return csv_response("parley-search.csv", header, rows)
