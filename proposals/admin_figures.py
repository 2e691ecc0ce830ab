"""Admin of conflicting figures: the figure list, and an inline of figures on each owner
(a term's total, an implementation event, a commitment)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from negotiations.core.admin_base import ServiceAdmin, ServiceInline
from proposals import services
from proposals.models import Figure


@admin.register(Figure)
class FigureAdmin(ServiceAdmin):
    create_service = staticmethod(services.figure_create)
    update_service = staticmethod(services.figure_update)
    delete_service = staticmethod(services.figure_delete)
    instance_arg = "figure"
    list_display = ["__str__", "event", "commitment", "term", "counted", "attributed_to", "source"]
    list_filter = ["counted", "attributed_to"]
    search_fields = ["note"]
    autocomplete_fields = ["term", "commitment", "attributed_to", "source"]
    raw_id_fields = ["event"]
    readonly_fields = ["version", "created_at", "updated_at"]

    def get_queryset(self, request: Any) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("event", "commitment", "term", "attributed_to", "source")
        )


class _FigureInline(ServiceInline):
    model = Figure
    fields = ["value", "value_high", "approximate", "counted", "attributed_to", "source", "note"]
    autocomplete_fields = ["attributed_to", "source"]
    verbose_name_plural = "figures (sources that disagree; the counted one is the quantity)"
    extra = 0

    def create_row(self, parent: Any, data: dict[str, Any]) -> Figure:
        owner: dict[str, Any] = {str(self.fk_name): parent}
        return services.figure_create(**owner, **data)

    def update_row(self, obj: Figure, data: dict[str, Any], expected_version: Any) -> Figure:
        return services.figure_update(figure=obj, expected_version=expected_version, **data)

    def delete_row(self, obj: Figure, reason: str) -> None:
        services.figure_delete(figure=obj, reason=reason)


class TermFigureInline(_FigureInline):
    fk_name = "term"


class EventFigureInline(_FigureInline):
    fk_name = "event"


class CommitmentFigureInline(_FigureInline):
    fk_name = "commitment"
