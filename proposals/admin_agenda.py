"""Admin of agenda items: a negotiation's numbered points and the proposals on each."""

from __future__ import annotations

from django.contrib import admin

from negotiations.core.admin_base import ServiceAdmin
from proposals import services
from proposals.models import AgendaItem


@admin.register(AgendaItem)
class AgendaItemAdmin(ServiceAdmin):
    create_service = staticmethod(services.agenda_item_create)
    update_service = staticmethod(services.agenda_item_update)
    delete_service = staticmethod(services.agenda_item_delete)
    instance_arg = "item"
    list_display = ["__str__", "negotiation", "number", "title"]
    list_filter = ["negotiation"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["negotiation", "proposals", "sources"]
    readonly_fields = ["version", "created_at", "updated_at"]
    fields = ["negotiation", "number", "title", "description", "proposals", "sources"]
    fields += readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("negotiation")
