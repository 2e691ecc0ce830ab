"""Resolving the references of a round-outcome document (document.py says the syntax):
local keys to the rows the writer made or matched for them, ids to rows, natural keys
to the one row they name; an unknown or ambiguous one is an error at its JSON path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import CharField, F, Func, Q, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains, Exact

from negotiations.core.folding import Fold
from negotiations.core.numbers import parse_whole
from negotiations.models import Negotiation
from parties.models import Party, Person
from parties.services import person_create
from proposals.api.outcome.fields import Ref
from proposals.models import AgendaItem, ImplementationEvent, Proposal, Source, Term
from proposals.services.sources import normalised_url

M = TypeVar("M", bound=models.Model)
Report = Callable[[str, str], None]
SEPARATOR = "\x1f"  # between aliases, as negotiations/core/folding.py joins them


def folded_equals(field: str, value: str) -> Q:
    return Q(Exact(Fold(F(field)), Fold(Value(value))))


def alias_equals(value: str) -> Q:
    """One of the row's aliases is the value, accents and case ignored."""
    joined = Func(
        F("aliases"), Value(SEPARATOR), function="array_to_string", output_field=CharField()
    )
    padded = Concat(Value(SEPARATOR), joined, Value(SEPARATOR), output_field=CharField())
    return Q(Contains(Fold(padded), Fold(Value(SEPARATOR + value + SEPARATOR))))


def party_condition(value: str) -> Q:
    condition = (
        Q(slug__iexact=value)
        | Q(wikidata_id__iexact=value)
        | Q(acled_actor__iexact=value)
        | folded_equals("name", value)
        | folded_equals("short_name", value)
        | alias_equals(value)
    )
    number = parse_whole(value, most_digits=9)
    if number is not None:
        condition |= Q(ucdp_actor_id=number)
    return condition


def describe(party: Party) -> str:
    return f"{party.name} (slug {party.slug}, id {party.pk})"


class Resolver:
    """The document's keys and the rows they stand for, and lookups cached per request."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.declared: dict[str, tuple[str, str]] = {}  # key -> (type, path)
        self.bound: dict[str, Any] = {}
        self.refused: set[str] = set()  # keys of parts that could not be written
        self.urls: dict[str, Source] = {}  # normalised URL -> source of the document
        self.titles: dict[str, Proposal] = {}  # title -> proposal of the document
        self.cache: dict[tuple[str, str], Any] = {}

    # ----- local keys

    def declare(self, key: str | None, type_: str, path: str) -> None:
        if not key:
            return
        if key in self.declared:
            first = self.declared[key][1]
            self.report(
                f"{path}.key",
                f'The key "{key}" is already used at {first}; keys are unique in a document.',
            )
            return
        self.declared[key] = (type_, path)

    def bind(self, key: str | None, row: Any) -> None:
        if key and key not in self.bound:
            self.bound[key] = row

    def _local(self, ref: Ref, type_: str, path: str) -> Any:
        declared = self.declared.get(ref.key)
        if declared is None:
            self.report(path, f'No part of this document has the key "{ref.key}".')
            return None
        if declared[0] != type_:
            self.report(path, f'"{ref.key}" is a {declared[0]} ({declared[1]}), not a {type_}.')
            return None
        if ref.key in self.bound:
            return self.bound[ref.key]
        if ref.key not in self.refused:  # a refused part's error is reported already
            self.report(
                path,
                f'"{ref.key}" is defined further down ({declared[1]}); a part '
                "can only refer to one defined before it.",
            )
        return None

    def _by_id(self, model: type[M], pk: int, path: str, noun: str) -> M | None:
        found = model._default_manager.filter(pk=pk).first()
        if found is None:
            self.report(path, f"There is no {noun} {pk}.")
        return found

    def _cached(self, kind: str, value: str, look: Callable[[], Any]) -> Any:
        if (kind, value) not in self.cache:
            self.cache[(kind, value)] = look()
        return self.cache[(kind, value)]

    # ----- kinds

    def party(self, ref: Ref | None, path: str) -> Party | None:
        if ref is None:
            return None
        if ref.key:
            self.report(
                path,
                "Parties are not parts of the document: give a slug, name, "
                'alias or external id, or {"id": n}.',
            )
            return None
        if ref.id is not None:
            return self._by_id(Party, ref.id, path, "party")
        found = self._cached("party", ref.natural, lambda: self._party_named(ref.natural))
        if isinstance(found, str):
            self.report(path, found)
            return None
        return found

    @staticmethod
    def _party_named(value: str) -> Party | str:
        candidates = list(Party.objects.filter(party_condition(value)).order_by("name")[:10])
        exact = [
            p
            for p in candidates
            if p.slug.lower() == value.lower() or p.wikidata_id.upper() == value.upper()
        ]
        if len(exact) == 1:
            return exact[0]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return (
                f'No party is called "{value}" (slug, name, short name, alias, Wikidata or '
                "UCDP id, ACLED name); create it first (POST /api/v1/parties/)."
            )
        names = "; ".join(describe(p) for p in candidates)
        return f'"{value}" names several parties: {names}. Give the slug or {{"id": n}}.'

    def source(self, ref: Ref | None, path: str) -> Source | None:
        if ref is None:
            return None
        if ref.key:
            return self._local(ref, "source", path)
        if ref.id is not None:
            return self._by_id(Source, ref.id, path, "source")
        url = normalised_url(ref.natural)
        if url in self.urls:
            return self.urls[url]
        found = self._cached("source", url, lambda: Source.objects.filter(url=url).first())
        if found is None:
            self.report(path, f"No source has the URL {url}; list it in `sources` first.")
        return found

    def sources(self, refs: list[Ref], path: str) -> list[Source] | None:
        return self._all([self.source(r, f"{path}[{i}]") for i, r in enumerate(refs)])

    def parties(self, refs: list[Ref], path: str) -> list[Party] | None:
        return self._all([self.party(r, f"{path}[{i}]") for i, r in enumerate(refs)])

    @staticmethod
    def _all(found: list[Any]) -> list[Any] | None:
        """All the rows, or None if one was not found (its error is reported)."""
        return None if any(row is None for row in found) else found

    def proposal(self, ref: Ref, path: str, negotiation: Negotiation) -> Proposal | None:
        if ref.key:
            return self._local(ref, "proposal", path)
        if ref.id is not None:
            return self._by_id(Proposal, ref.id, path, "proposal")
        if ref.natural in self.titles:
            return self.titles[ref.natural]
        found = list(Proposal.objects.filter(negotiation=negotiation, title=ref.natural)[:5])
        if len(found) == 1:
            return found[0]
        if not found:
            self.report(path, f'No proposal of this negotiation is titled "{ref.natural}".')
        else:
            ids = ", ".join(str(p.pk) for p in found)
            self.report(
                path, f'Several proposals are titled "{ref.natural}" (ids {ids}); give {{"id": n}}.'
            )
        return None

    def term(self, ref: Ref | None, path: str) -> Term | None:
        if ref is None:
            return None
        if ref.key:
            return self._local(ref, "term", path)
        if ref.id is not None:
            return self._by_id(Term, ref.id, path, "term")
        self.report(path, 'Refer to a term by its key ({"key": "p1.t1"}) or {"id": n}.')
        return None

    def agenda_item(self, ref: Ref, path: str) -> AgendaItem | None:
        if ref.key:
            return self._local(ref, "agenda item", path)
        if ref.id is not None:
            return self._by_id(AgendaItem, ref.id, path, "agenda item")
        self.report(path, 'Refer to an agenda item by its key in `agenda` or {"id": n}.')
        return None

    def event(self, ref: Ref | None, path: str) -> ImplementationEvent | None:
        if ref is None:
            return None
        if ref.key:
            return self._local(ref, "event", path)
        if ref.id is not None:
            return self._by_id(ImplementationEvent, ref.id, path, "implementation event")
        self.report(path, 'Refer to an event by its key or {"id": n}.')
        return None

    def person(
        self, ref: Ref | None, path: str, party: Party | None, made: Callable[[Person], None]
    ) -> Person | None:
        """A person by id, or by name or alias among the party's people (and those of no
        party); a name found nowhere is a new person of that party (`made` is told)."""
        if ref is None:
            return None
        if ref.key:
            self.report(path, 'People are named (found or created) or given as {"id": n}.')
            return None
        if ref.id is not None:
            return self._by_id(Person, ref.id, path, "person")
        party_id = party.pk if party is not None else None
        name = ref.natural
        found = self._cached(f"person-{party_id}", name, lambda: self._person_named(name, party))
        if isinstance(found, str):
            self.report(path, found)
            return None
        if found is None:
            try:
                found = person_create(name=name, party=party)
            except ValidationError as error:
                self.report(path, " ".join(error.messages))
                return None
            made(found)
            self.cache[(f"person-{party_id}", name)] = found
        return found

    @staticmethod
    def _person_named(name: str, party: Party | None) -> Person | str | None:
        people = Person.objects.filter(folded_equals("name", name) | alias_equals(name))
        people = people.filter(Q(party=party) | Q(party__isnull=True)) if party else people
        found = list(people.order_by("party_id", "pk")[:5])
        if len(found) > 1:
            found = [p for p in found if p.party_id is not None] or found
        if len(found) > 1:
            ids = ", ".join(str(p.pk) for p in found)
            return f'"{name}" names several people (ids {ids}); give {{"id": n}}.'
        return found[0] if found else None
