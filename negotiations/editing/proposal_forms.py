"""Forms of the round workspace: a proposal tabled (with its terms and the positions taken
on it), positions on what is already recorded, and exchanges delivered."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms

from negotiations.core.precision import PrecisionFormField
from negotiations.editing.forms_base import (
    EditForm,
    SourcePickMixin,
    choice_field,
    date_field,
    model_choice_field,
    text_area,
)
from negotiations.models import Negotiation
from parties.models import Party
from proposals.models import (
    Category,
    EventKind,
    ProposalKind,
    Stage,
    Stance,
    Term,
    TextStatus,
)

if TYPE_CHECKING:
    from proposals.models import Source


def participants(negotiation: Negotiation) -> Any:
    return Party.objects.filter(participations__negotiation=negotiation).order_by("name")


def negotiation_terms(negotiation: Negotiation) -> Any:
    return (
        Term.objects.filter(proposal__negotiation=negotiation)
        .select_related("proposal")
        .order_by("proposal__tabled_on", "proposal_id", "ordinal")
    )


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Term) -> str:
        return f"{obj.proposal.title} — {obj.label or obj.ordinal}. {obj.text[:70]}"


class TermsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Term) -> str:
        return f"{obj.proposal.title} — {obj.label or obj.ordinal}. {obj.text[:70]}"


class NegotiationForm(EditForm):
    """A form whose party and term choices are those of one negotiation."""

    party_fields: tuple[str, ...] = ()
    term_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, negotiation: Negotiation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.negotiation = negotiation
        for name in self.party_fields:
            model_choice_field(self, name).queryset = participants(negotiation)
        for name in self.term_fields:
            model_choice_field(self, name).queryset = negotiation_terms(negotiation)


class ProposalForm(SourcePickMixin, NegotiationForm):
    party_fields = ("tabled_by", "co_sponsors", "mediators", "required_parties")

    title = forms.CharField(label="Proposal title", max_length=300)
    kind = forms.ChoiceField(label="Kind", choices=[("", "— kind —"), *ProposalKind.choices])
    tabled_by = forms.ModelChoiceField(
        Party.objects.none(),
        required=False,
        label="Tabled by",
        empty_label="jointly / not attributed",
    )
    co_sponsors = forms.ModelMultipleChoiceField(
        Party.objects.none(),
        required=False,
        label="Co-sponsors",
        help_text="Other parties that tabled it with the first (a joint proposal).",
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    mediators = forms.ModelMultipleChoiceField(
        Party.objects.none(),
        required=False,
        label="Mediators",
        help_text="For a mediators' text: who put it forward (leave “tabled by” empty).",
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    text_status = forms.ChoiceField(
        label="Wording", choices=TextStatus.choices, initial=TextStatus.REPORTED
    )
    in_round = forms.BooleanField(
        label="Tabled at this round",
        required=False,
        initial=True,
        help_text="Untick for a proposal made elsewhere (e.g. in a speech) that day.",
    )
    tabled_on = date_field("Tabled on")
    tabled_on_precision = PrecisionFormField()
    required_parties = forms.ModelMultipleChoiceField(
        Party.objects.none(),
        required=False,
        label="Parties whose consent it needs",
        help_text="Leave all unticked for the negotiation's principals.",
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(label="Summary", required=False, widget=text_area(2))
    text = forms.CharField(label="Full text", required=False, widget=text_area(3))
    speaker = forms.CharField(label="Tabled by (speaker)", required=False, max_length=200)
    quote = forms.CharField(label="Quote of the tabling", required=False, widget=text_area(2))
    paste = forms.CharField(
        label="Paste the terms as a numbered list",
        required=False,
        widget=text_area(5),
        help_text="One item per line (“1.”, “2)”, “B.1”…); each becomes a term row to review.",
    )


class TermForm(EditForm):
    label = forms.CharField(label="Label", required=False, max_length=40)
    text = forms.CharField(label="Text of the term", widget=text_area(2))
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    stage = forms.ChoiceField(label="Stage", choices=Stage.choices)
    option_group = forms.CharField(label="Option group", required=False, max_length=60)
    option = forms.CharField(label="Option", required=False, max_length=60)
    quantity = forms.IntegerField(label="Quantity", required=False)
    unit = forms.CharField(label="Unit", required=False, max_length=60)
    due_on = date_field("Due on")


TERM_DEFAULTS = {"category": Category.OTHER, "stage": Stage.SETTLEMENT}


class PositionFields(NegotiationForm):
    """What a party said: the fields every position form shares."""

    party_fields = ("party",)
    term_fields = ("conditional_on",)

    party = forms.ModelChoiceField(Party.objects.none(), label="Party")
    stance = forms.ChoiceField(label="Stance", choices=[("", "— stance —"), *Stance.choices])
    stated_on = date_field("Stated on", required=True)
    stated_on_precision = PrecisionFormField()
    speaker = forms.CharField(label="Speaker", required=False, max_length=200)
    quote = forms.CharField(label="Quote", required=False, widget=text_area(2))
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        widget=text_area(2),
        help_text="Required for a conditional stance.",
    )
    reservations = forms.CharField(
        label="Reservations",
        required=False,
        widget=text_area(2),
        help_text="Required when accepting with reservations.",
    )
    conditional_on = TermsChoiceField(
        Term.objects.none(),
        required=False,
        label="Conditional on the terms",
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    note = forms.CharField(label="Note", required=False, widget=text_area(1))
    source: forms.ModelChoiceField[Source] = forms.ModelChoiceField(
        None, required=False, label="Source", empty_label="the source given above"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from proposals.models import Source

        model_choice_field(self, "source").queryset = Source.objects.order_by("-created_at", "-id")


class ProposalPositionForm(PositionFields):
    """A position on the proposal being tabled: its term is named by label or number."""

    field_order = ["party", "applies_to", "stance"]
    applies_to = forms.CharField(
        label="On term",
        required=False,
        max_length=40,
        help_text="Label or number; blank for the whole proposal.",
    )


class PositionForm(PositionFields):
    """A position on something recorded already: the whole proposal or one term."""

    field_order = ["target", "party", "stance"]
    target = forms.ChoiceField(label="On")

    def __init__(self, *args: Any, targets: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "target").choices = [("", "— proposal or term —"), *(targets or [])]


def position_targets(negotiation: Negotiation) -> list[Any]:
    """Choices grouped by proposal: the whole proposal (p:id), then each term (t:id)."""
    groups: dict[int, Any] = {}
    for proposal in negotiation.proposals.order_by("tabled_on", "id"):
        groups[proposal.pk] = (proposal.title, [(f"p:{proposal.pk}", "the whole proposal")])
    for term in negotiation_terms(negotiation):
        label = f"term {term.label or term.ordinal}: {term.text[:70]}"
        groups[term.proposal_id][1].append((f"t:{term.pk}", label))
    return list(groups.values())


class DeliveryForm(NegotiationForm):
    party_fields = ("by_party", "to_party")
    term_fields = ("term",)

    term = TermChoiceField(Term.objects.none(), label="Term delivered on")
    kind = forms.ChoiceField(
        # Blank is a delivery, so that an untouched row stays blank.
        choices=[("", "Delivery")]
        + [c for c in EventKind.choices if c[0] not in ("delivery", "reversal", "dispute")],
        required=False,
        label="What happened",
        help_text="Reversals and disputes of a delivery are recorded in the admin or the API.",
    )
    happened_on = date_field("Happened on", required=True)
    happened_on_precision = PrecisionFormField()
    by_party = forms.ModelChoiceField(
        Party.objects.none(),
        required=False,
        label="By (for a breach: the violator)",
        empty_label="both / unknown",
    )
    to_party = forms.ModelChoiceField(
        Party.objects.none(), required=False, label="Received by", empty_label="unknown"
    )
    quantity = forms.IntegerField(label="Quantity", required=False)
    completes = forms.BooleanField(label="Completes the term", required=False)
    location = forms.CharField(label="Where (breaches)", required=False, max_length=200)
    note = forms.CharField(label="Note", required=False, widget=text_area(1))
    source: forms.ModelChoiceField[Source] = forms.ModelChoiceField(
        None, required=False, label="Source", empty_label="the source given above"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from proposals.models import Source

        model_choice_field(self, "source").queryset = Source.objects.order_by("-created_at", "-id")


class BlockSourceForm(SourcePickMixin, forms.Form):
    """The source of a block of rows, used by every row that names none of its own."""

    source_required = False


# --- the paste helper ----------------------------------------------------------------

# "1.", "2)", "(3)", "II.1", "B.2", "a)", "4.1.": a label ends with "." or ")" or holds a
# digit, so that a sentence starting with a capital letter is not mistaken for one.
_LABEL = re.compile(
    r"^\s*(?:[-*•]\s+)?\(?((?:\d+|[IVXLC]+|[A-Za-z])(?:\.(?:\d+|[A-Za-z]))*)([.)]?)\)?\s+(\S.*)$"
)
_BULLET = re.compile(r"^\s*[-*•]\s+(\S.*)$")


def split_numbered_list(text: str) -> list[tuple[str, str]]:
    """A pasted numbered list as (label, text) items; unnumbered lines continue the item
    before them, blank lines are skipped."""
    items: list[list[str]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _LABEL.match(line)
        if match and (match.group(2) or any(c.isdigit() for c in match.group(1))):
            items.append([match.group(1), match.group(3).strip()])
            continue
        bullet = _BULLET.match(line)
        if bullet:
            items.append(["", bullet.group(1).strip()])
        elif items:
            items[-1][1] += " " + line.strip()
        else:
            items.append(["", line.strip()])
    return [(label, body) for label, body in items]
