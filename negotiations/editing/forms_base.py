"""What the editor forms share: date inputs, defaults for new rows, a source picked or
described inline, people named by their name, and rows that can be added or pasted in
without saving anything."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict

from negotiations.core.numbers import parse_whole
from negotiations.editing.limits import ROWS, limit_texts
from negotiations.editing.writes import Batch
from parties.models import Party, Person
from parties.services import person_create
from proposals.models import Source, SourceKind
from proposals.services import source_create
from proposals.services.sources import normalised_url


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: str, required: bool = False, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput, **kwargs)


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 60})


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's select `name`, whose choices are set at run time."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), f"{name} is not a select"
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's select of rows `name`, whose rows are set at run time."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), f"{name} is not a select of rows"
    return field


class EditForm(forms.Form):
    """A form whose fields may get defaults at run time (the round's date, say); a row
    left at its defaults counts as unchanged and is skipped."""

    def __init__(self, *args: Any, defaults: dict[str, Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        limit_texts(self)
        for name, value in (defaults or {}).items():
            if name in self.fields:
                self.fields[name].initial = value


class SourcePickMixin(forms.Form):
    """A source picked from those recorded, or described inline and created with the
    rest of the submission. Its fields are prefixed source_ (errors of source_create
    land on them)."""

    source = forms.ModelChoiceField(
        Source.objects.none(),
        required=False,
        label="Source",
        empty_label="— describe a new source below —",
    )
    source_url = forms.URLField(
        label="New source: URL", required=False, max_length=1000, assume_scheme="https"
    )
    source_title = forms.CharField(label="Title", required=False, max_length=500)
    source_publisher = forms.CharField(label="Publisher", required=False, max_length=200)
    source_published_on = date_field("Published on")
    source_kind = forms.ChoiceField(
        label="Kind", choices=SourceKind.choices, initial=SourceKind.NEWS, required=False
    )
    source_required = True
    source_missing = (
        "Give a source: pick one that is recorded, or describe the new one (a title at least)."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "source").queryset = Source.objects.order_by("-created_at", "-id")

    def describes_new_source(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("source_title") or data.get("source_url"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns the cleaned data
        if cleaned.get("source") and self.describes_new_source():
            self.add_error(
                "source", "Pick a recorded source or describe a new one below, not both."
            )
        elif not cleaned.get("source") and not self.describes_new_source():
            if self.source_required:
                self.add_error("source", self.source_missing)
            elif any(cleaned.get(f) for f in ("source_publisher", "source_published_on")):
                self.add_error("source_title", "Give the new source a title.")
        elif self.describes_new_source() and not cleaned.get("source_title"):
            self.add_error("source_title", "Give the new source a title.")
        return cleaned

    def resolve_source(self, batch: Batch) -> Source | None:
        data = self.cleaned_data
        if data.get("source"):
            return data["source"]
        if not self.describes_new_source():
            return None
        if data.get("source_url"):
            known = Source.objects.filter(url=normalised_url(data["source_url"])).first()
            if known is not None:
                return known
        return batch.call(
            self,
            source_create,
            prefix="source_",
            title=data["source_title"],
            url=data.get("source_url") or "",
            publisher=data.get("source_publisher") or "",
            published_on=data.get("source_published_on"),
            kind=data.get("source_kind") or SourceKind.NEWS,
        )


def person_named(
    batch: Batch, form: forms.BaseForm, field: str, party: Party | None, name: str | None = None
) -> Any:
    """The person named in `field` (or `name`), of that party or of none; created if new."""
    name = (name if name is not None else form.cleaned_data.get(field) or "").strip()
    if not name:
        return None
    known = Person.objects.filter(name__iexact=name, party__in=[party] if party else []).first()
    if known is None and party is not None:
        known = Person.objects.filter(name__iexact=name, party__isnull=True).first()
    if known is not None:
        return known
    return batch.call(
        form, person_create, rename={"name": field, "party": field}, name=name, party=party
    )


def split_names(raw: str) -> list[str]:
    return [n.strip() for n in re.split(r"[,;\n]", raw or "") if n.strip()]


def share_choices(forms_: Iterable[forms.BaseForm], names: Iterable[str]) -> None:
    """Read each select's choices once and hand them to the same select of every row,
    so that a page's queries do not grow with its rows."""
    forms_ = list(forms_)
    for name in names:
        rows = [f for f in forms_ if name in f.fields]
        if rows:
            # Iterated, not list()ed: len() would cost a COUNT query first.
            select = choice_field(rows[0], name)
            # django-stubs types the getter as the setter's input; it is normalised, not a callable.
            choices = [choice for choice in select.choices]  # type: ignore[union-attr]
            for row in rows:
                row.fields[name].widget.choices = choices


# --- rows added or pasted without saving ---------------------------------------------


def show_rows_error(formset: forms.BaseFormSet, message: str) -> None:
    """An error about the rows as a whole, shown even on a form that was quieted."""
    # Private to Django (the formset's cached errors), absent from django-stubs.
    formset._non_form_errors = formset.error_class(  # type: ignore[attr-defined]
        [message], error_class="nonform"
    )


def quiet(*forms_or_formsets: Any) -> None:
    """Render bound forms without complaining: used when the editor only asked for
    another row, so half-filled rows are not flagged yet."""
    for item in forms_or_formsets:
        if isinstance(item, forms.BaseFormSet):
            # Private to Django (the formset's cached errors), absent from django-stubs.
            item._errors = []  # type: ignore[attr-defined]
            item._non_form_errors = ErrorList()  # type: ignore[attr-defined]
            quiet(*item.forms)
        else:
            item._errors = ErrorDict()
            item.cleaned_data = {}


def row_values(data: QueryDict, prefix: str) -> list[dict[str, list[str]]]:
    """The posted rows of a formset, each as {field: values}."""
    total = parse_whole(data.get(f"{prefix}-TOTAL_FORMS")) or 0
    rows = []
    for index in range(min(total, ROWS[prefix].most + 1)):
        head = f"{prefix}-{index}-"
        rows.append({k[len(head) :]: data.getlist(k) for k in data if k.startswith(head)})
    return rows


def set_rows(data: QueryDict, prefix: str, rows: Iterable[dict[str, list[str]]]) -> int:
    """Replace the posted rows of a formset (data must be a mutable copy)."""
    for key in [k for k in data if k.startswith(prefix + "-") and "-" in k[len(prefix) + 1 :]]:
        del data[key]
    count = 0
    for index, row in enumerate(rows):
        for field, values in row.items():
            data.setlist(f"{prefix}-{index}-{field}", values)
        count = index + 1
    data[f"{prefix}-TOTAL_FORMS"] = str(count)
    return count


def is_blank(row: dict[str, list[str]], defaults: dict[str, Any]) -> bool:
    for field, values in row.items():
        value = "".join(values).strip()
        default = defaults.get(field)
        if value and value != ("" if default is None else str(default)):
            return False
    return True


def add_row(data: QueryDict, prefix: str, defaults: dict[str, Any]) -> int:
    """One more row, with its defaults filled in; returns its index. A ValidationError
    says there is no room left."""
    rows = row_values(data, prefix)
    limit = ROWS[prefix]
    if len(rows) >= limit.most:
        raise ValidationError(
            f"At most {limit.most} {limit.plural} per {limit.per}; this one has them all."
        )
    rows.append({k: [str(v)] for k, v in defaults.items() if v not in (None, "")})
    set_rows(data, prefix, rows)
    return len(rows) - 1
