from django.contrib import admin

from negotiations import services
from negotiations.core.admin_base import ServiceAdmin, ServiceInline
from negotiations.models import Delegation, DelegationMember, Negotiation, Participation, Round


class ParticipationInline(ServiceInline):
    model = Participation
    fk_name = "negotiation"
    fields = ["party", "roles", "note", "expected_version"]
    autocomplete_fields = ["party"]

    def create_row(self, parent, data):
        return services.participation_create(negotiation=parent, **data)

    def update_row(self, obj, data, expected_version):
        return services.participation_update(
            participation=obj, expected_version=expected_version, **data
        )

    def delete_row(self, obj, reason):
        services.participation_delete(participation=obj, reason=reason)


class RoundInline(admin.TabularInline):
    model = Round
    fields = ("number", "title", "starts_on", "venue_city", "status")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Negotiation)
class NegotiationAdmin(ServiceAdmin):
    create_service = staticmethod(services.negotiation_create)
    update_service = staticmethod(services.negotiation_update)
    instance_arg = "negotiation"
    list_display = ["title", "status", "started_on", "ended_on"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ParticipationInline, RoundInline]


class DelegationInline(ServiceInline):
    model = Delegation
    fk_name = "round"
    fields = ["party", "head", "members_text", "expected_version"]
    autocomplete_fields = ["party", "head"]

    def create_row(self, parent, data):
        return services.delegation_create(round=parent, **data)

    def update_row(self, obj, data, expected_version):
        return services.delegation_update(delegation=obj, expected_version=expected_version, **data)

    def delete_row(self, obj, reason):
        services.delegation_delete(delegation=obj, reason=reason)


@admin.register(Round)
class RoundAdmin(ServiceAdmin):
    create_service = staticmethod(services.round_create)
    update_service = staticmethod(services.round_update)
    instance_arg = "round"
    list_display = ["__str__", "negotiation", "number", "starts_on", "venue_city", "status"]
    list_filter = ["status", "negotiation"]
    search_fields = ["title", "venue_city", "summary", "negotiation__title"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["negotiation", "hosts", "sources"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [DelegationInline]


@admin.register(DelegationMember)
class DelegationMemberAdmin(ServiceAdmin):
    create_service = staticmethod(services.delegation_member_create)
    update_service = staticmethod(services.delegation_member_update)
    instance_arg = "member"
    list_display = ["person", "title", "role", "delegation"]
    list_filter = ["role"]
    search_fields = ["person__name", "title", "delegation__party__name"]
    autocomplete_fields = ["person"]
    readonly_fields = ["version", "created_at", "updated_at"]
