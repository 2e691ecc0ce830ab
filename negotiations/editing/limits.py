"""How much one editor form takes, and what the editor is told when it is more: rows per
formset, characters per text, items per paste. A limit is refused with a message on the
page; nothing is cut short or dropped without saying so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.formsets import TOTAL_FORM_COUNT, BaseFormSet, formset_factory

from negotiations.core.numbers import parse_whole

TEXT_CHARS = 20_000
LONG_TEXT_CHARS = {"text": 200_000, "paste": 200_000}
KEPT = "Nothing was saved; what you typed is kept in this browser."


@dataclass(frozen=True)
class Rows:
    """A formset's maximum: `most` rows of `noun`s per `per`."""

    most: int
    noun: str
    plural: str
    per: str

    def refusal(self, count: int) -> str:
        return f"{count:,} {self.plural} sent; at most {self.most} per {self.per} — split it."


ROWS = {
    "terms": Rows(200, "term", "terms", "proposal"),
    "ppos": Rows(50, "position", "positions", "proposal"),
    "positions": Rows(100, "position", "positions", "save"),
    "deliveries": Rows(100, "delivery", "deliveries", "save"),
    "participants": Rows(60, "party", "parties", "round"),
}


def upload_limits() -> dict[str, int]:
    """What one request may carry (Django's settings), for the page's own check."""
    return {
        "bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0,
        "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS or 0,
    }


class LimitedFormSet(BaseFormSet):
    """Rows within their maximum: more rows than allowed, or a row count that is negative
    or missing, is an error on the page and nothing is saved (Django alone would cap the
    rows silently, or take a negative count as no rows)."""

    rows = Rows(200, "row", "rows", "form")
    default_error_messages = {
        "missing_management_form": (
            "The form's count of rows is missing or was altered (%(field_names)s). " + KEPT
        )
    }

    def total_form_count(self) -> int:
        if self.is_bound and self.management_form.is_valid():
            sent = self._count_sent()
            if not 0 <= sent <= self.rows.most:
                # Show the rows that were sent (up to the maximum), not the count claimed.
                return min(self._rows_sent(), self.absolute_max)
        return int(super().total_form_count())

    def _count_sent(self) -> int:
        return int(self.management_form.cleaned_data[TOTAL_FORM_COUNT] or 0)

    def _rows_sent(self) -> int:
        head = f"{self.prefix}-"
        indexes = {k[len(head) :].partition("-")[0] for k in self.data if k.startswith(head)}
        return max((i for i in map(parse_whole, indexes) if i is not None), default=-1) + 1

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or not self.management_form.is_valid():
            return
        sent = self._count_sent()
        if sent < 0:
            message = f"The count of {self.rows.plural} sent ({sent}) is not valid. {KEPT}"
        elif sent > self.rows.most:
            message = f"{self.rows.refusal(sent)} {KEPT}"
        else:
            return
        self._non_form_errors = self.error_class([message], error_class="nonform")


def rows_formset(form: type[forms.Form], prefix: str, extra: int = 1) -> Any:
    """The formset class of `form` for rows named `prefix` in ROWS."""
    rows = ROWS[prefix]
    return formset_factory(
        form,
        formset=type(f"{prefix.title()}FormSet", (LimitedFormSet,), {"rows": rows}),
        extra=extra,
        max_num=rows.most,
        absolute_max=rows.most,
        validate_max=True,
    )


def text_limit(limit: int) -> Any:
    def check(value: str) -> None:
        if value and len(value) > limit:
            raise ValidationError(
                f"This text is {len(value):,} characters long; at most {limit:,} fit here. "
                "Shorten it, or keep the full text in its source.",
                code="max_length",
            )

    return check


def limit_texts(form: forms.BaseForm) -> None:
    """Every text box of the form gets its size limit (a message, never a silent cut)."""
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.Textarea) and isinstance(field, forms.CharField):
            field.validators.append(text_limit(LONG_TEXT_CHARS.get(name, TEXT_CHARS)))


def paste_too_long(text: str) -> str | None:
    """Checked before the paste is split: the work that follows grows with it."""
    limit = LONG_TEXT_CHARS["paste"]
    if len(text) <= limit:
        return None
    lines = text.count("\n") + 1
    return (
        f"{lines:,} lines ({len(text):,} characters) pasted; at most {ROWS['terms'].most} "
        f"terms per proposal and {limit:,} characters at once — split it."
    )


def paste_too_many(items: int, rows_kept: int) -> str | None:
    most = ROWS["terms"].most
    if rows_kept + items <= most:
        return None
    kept = f" (with the {rows_kept} terms already here)" if rows_kept else ""
    return f"{items:,} items pasted{kept}; at most {most} per proposal — split it."


def page_limits(request: Any) -> dict[str, Any]:
    """Context processor: the request limits, for the editor pages' check before sending."""
    return {"edit_limits": upload_limits()}
