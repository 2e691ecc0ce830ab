"""Admin form fields that a model field cannot give: the ordered tabling parties."""

from __future__ import annotations

from typing import Any

from negotiations.core.admin_base import ServiceModelForm
from parties.forms import OrderedPartiesField


class ProposalAdminForm(ServiceModelForm):
    # Not named tabling_parties: the admin refuses a many-to-many field with a through model.
    tabling = OrderedPartiesField(
        required=False,
        label="Tabling parties",
        help_text="The parties that tabled it, in order, by slug, comma-separated (e.g. "
        "“russia, turkiye, iran”); leave empty for a mediators' text.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tabling"] = self.instance.tabling_party_list()
