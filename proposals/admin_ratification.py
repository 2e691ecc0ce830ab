"""Admin of ratification steps: an inline on the proposal and a list of their own."""

from __future__ import annotations

from django.contrib import admin

from negotiations.core.admin_base import ServiceAdmin, ServiceInline
from proposals import services
from proposals.models import RatificationStep
from proposals.models.ratification import STEP_FIELDS as MODEL_STEP_FIELDS

STEP_FIELDS = [*MODEL_STEP_FIELDS, "sources"]


class RatificationStepInline(ServiceInline):
    model = RatificationStep
    fk_name = "proposal"
    fields = [*STEP_FIELDS, "expected_version"]
    autocomplete_fields = ["body_party", "sources"]
    verbose_name_plural = "ratification (parliaments, courts, referendums)"
    extra = 0

    def create_row(self, parent, data):
        return services.ratification_step_create(proposal=parent, **data)

    def update_row(self, obj, data, expected_version):
        return services.ratification_step_update(
            step=obj, expected_version=expected_version, **data
        )

    def delete_row(self, obj, reason):
        services.ratification_step_delete(step=obj, reason=reason)


@admin.register(RatificationStep)
class RatificationStepAdmin(ServiceAdmin):
    create_service = staticmethod(services.ratification_step_create)
    update_service = staticmethod(services.ratification_step_update)
    delete_service = staticmethod(services.ratification_step_delete)
    instance_arg = "step"
    list_display = ["proposal", "ordinal", "body_kind", "body_name", "outcome", "decided_on"]
    list_filter = ["outcome", "body_kind", "proposal__negotiation"]
    search_fields = ["body_name", "note", "proposal__title"]
    date_hierarchy = "decided_on"
    autocomplete_fields = ["proposal", "body_party", "sources"]
    readonly_fields = ["version", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proposal")
