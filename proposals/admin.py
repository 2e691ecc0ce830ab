from django.contrib import admin
from django.db.models import Count

from negotiations.core.admin_base import ServiceAdmin, ServiceInline
from proposals import admin_figures as figures_admin
from proposals import services
from proposals.admin_agenda import AgendaItemAdmin as AgendaItemAdmin
from proposals.admin_forms import ProposalAdminForm
from proposals.admin_ratification import RatificationStepInline
from proposals.models import (
    Commitment,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    Source,
    StatusChange,
    Term,
    tablings_prefetch,
)

STATUS_READONLY = ("status", "status_reason", "status_since", "status_stale", "status_computed_at")
META_READONLY = ("version", "created_at", "updated_at")


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    instance_arg = "source"
    list_display = ["title", "publisher", "published_on", "kind", "url"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "publisher", "url"]
    readonly_fields = META_READONLY


class TermInline(ServiceInline):
    model = Term
    fk_name = "proposal"
    fields = [
        "ordinal",
        "label",
        "text",
        "category",
        "stage",
        "option_group",
        "option",
        "quantity",
        "unit",
        "deliverable",
        "due_on",
        "status",
        "delivered",
        "expected_version",
    ]
    readonly_fields = ["status", "delivered"]
    show_change_link = True
    extra = 0

    def create_row(self, parent, data):
        return services.term_create(proposal=parent, **data)

    def update_row(self, obj, data, expected_version):
        return services.term_update(term=obj, expected_version=expected_version, **data)

    def delete_row(self, obj, reason):
        services.term_delete(term=obj, reason=reason)


class ExistingPositionInline(admin.TabularInline):
    """Positions are never edited: what was recorded is shown, a new one is added below."""

    model = Position
    fields = (
        "party",
        "term",
        "stance",
        "stated_on",
        "speaker",
        "quote",
        "conditions",
        "reservations",
        "source",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "positions recorded"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party", "term", "speaker", "source")


class NewPositionInline(ServiceInline):
    model = Position
    fields = [
        "party",
        "stance",
        "stated_on",
        "stated_on_precision",
        "round",
        "speaker",
        "quote",
        "conditions",
        "reservations",
        "conditional_on",
        "source",
        "note",
    ]
    autocomplete_fields = ["party", "speaker", "source", "conditional_on"]
    verbose_name_plural = "record a new position"
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def update_row(self, obj, data, expected_version):
        raise AssertionError("positions are never edited")


class ProposalPositionInline(NewPositionInline):
    fk_name = "proposal"
    fields = ["term", *NewPositionInline.fields]

    def create_row(self, parent, data):
        return services.position_record(proposal=parent, **data)


class ProposalExistingPositionInline(ExistingPositionInline):
    fk_name = "proposal"


class LinkInline(ServiceInline):
    model = ProposalLink
    fk_name = "from_proposal"
    fields = ["kind", "to_proposal", "linked_on", "note", "expected_version"]
    autocomplete_fields = ["to_proposal"]
    verbose_name_plural = "links to other proposals"
    extra = 0

    def create_row(self, parent, data):
        return services.proposal_link_create(from_proposal=parent, **data)

    def update_row(self, obj, data, expected_version):
        raise AssertionError("delete the link and record a new one")

    def delete_row(self, obj, reason):
        services.proposal_link_delete(link=obj, reason=reason)

    def has_change_permission(self, request, obj=None):
        return False


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ("changed_on", "term", "previous_status", "status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "status timeline (computed)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(ServiceAdmin):
    create_service = staticmethod(services.proposal_create)
    update_service = staticmethod(services.proposal_update)
    delete_service = staticmethod(services.proposal_delete)
    instance_arg = "proposal"
    form = ProposalAdminForm
    list_display = ["title", "negotiation", "kind", "tabled_by", "tabled_on", "status", "terms"]
    list_filter = ["status", "kind", "text_status", "status_stale", "negotiation"]
    search_fields = ["title", "summary", "text", "terms__text"]
    date_hierarchy = "tabled_on"
    autocomplete_fields = ["negotiation", "round", "mediators", "required_parties", "sources"]
    readonly_fields = [*STATUS_READONLY, *META_READONLY]
    inlines = [
        TermInline,
        ProposalExistingPositionInline,
        ProposalPositionInline,
        LinkInline,
        RatificationStepInline,
        StatusChangeInline,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "negotiation",
                    "round",
                    "title",
                    "kind",
                    "tabling",
                    "mediators",
                    "tabled_on",
                    "tabled_on_precision",
                    "required_parties",
                    "summary",
                    "text",
                    "text_status",
                    "sources",
                ]
            },
        ),
        ("Status (computed)", {"fields": STATUS_READONLY}),
        ("Record", {"fields": META_READONLY, "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("negotiation")
            .prefetch_related(tablings_prefetch())
            .annotate(term_count=Count("terms"))
        )

    def service_kwargs(self, form, change):
        kwargs = super().service_kwargs(form, change)
        if "tabling" in kwargs:
            kwargs["tabling_parties"] = kwargs.pop("tabling")
        return kwargs

    @admin.display(description="tabled by")
    def tabled_by(self, obj: Proposal) -> str:
        return obj.tabling_names() or "—"

    @admin.display(ordering="term_count")
    def terms(self, obj: Proposal) -> int:
        return obj.term_count  # type: ignore[attr-defined]


class TermExistingPositionInline(ExistingPositionInline):
    fk_name = "term"


class TermPositionInline(NewPositionInline):
    fk_name = "term"

    def create_row(self, parent, data):
        return services.position_record(proposal=parent.proposal, term=parent, **data)


class ImplementationEventInline(ServiceInline):
    model = ImplementationEvent
    fk_name = "term"
    fields = [
        "kind",
        "happened_on",
        "happened_on_precision",
        "by_party",
        "to_party",
        "quantity",
        "completes",
        "location",
        "reverses",
        "note",
        "source",
    ]
    autocomplete_fields = ["by_party", "to_party", "source"]
    raw_id_fields = ["reverses"]
    verbose_name_plural = "implementation (the exchange ledger)"
    extra = 0

    def create_row(self, parent, data):
        return services.implementation_event_record(term=parent, **data)

    def update_row(self, obj, data, expected_version):
        return services.implementation_event_update(
            event=obj, expected_version=expected_version, **data
        )

    def delete_row(self, obj, reason):
        services.implementation_event_delete(event=obj, reason=reason)


class CommitmentInline(ServiceInline):
    model = Commitment
    fk_name = "term"
    fields = ["party", "quantity", "quantity_high", "approximate", "unit", "note"]
    autocomplete_fields = ["party"]
    verbose_name_plural = "commitments (each party's share)"
    extra = 0

    def create_row(self, parent, data):
        return services.commitment_create(term=parent, **data)

    def update_row(self, obj, data, expected_version):
        return services.commitment_update(commitment=obj, expected_version=expected_version, **data)

    def delete_row(self, obj, reason):
        services.commitment_delete(commitment=obj, reason=reason)


@admin.register(Term)
class TermAdmin(ServiceAdmin):
    create_service = staticmethod(services.term_create)
    update_service = staticmethod(services.term_update)
    delete_service = staticmethod(services.term_delete)
    instance_arg = "term"
    list_display = ["__str__", "proposal", "category", "stage", "option_group", "option", "status"]
    list_filter = ["status", "category", "stage", "proposal__negotiation"]
    search_fields = ["text", "label", "proposal__title"]
    autocomplete_fields = ["proposal", "derived_from", "sources"]
    readonly_fields = [*STATUS_READONLY, "delivered", *META_READONLY]
    inlines = [TermExistingPositionInline, TermPositionInline, CommitmentInline]
    inlines += [ImplementationEventInline, figures_admin.TermFigureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proposal")


@admin.register(Position)
class PositionAdmin(ServiceAdmin):
    create_service = staticmethod(services.position_record)
    update_service = staticmethod(lambda **kwargs: None)
    delete_service = staticmethod(services.position_delete)
    instance_arg = "position"
    list_display = ["party", "stance", "proposal", "term", "stated_on", "speaker", "source"]
    list_filter = ["stance", "party", "proposal__negotiation", "stated_on"]
    search_fields = ["quote", "conditions", "proposal__title", "term__text", "party__name"]
    date_hierarchy = "stated_on"
    autocomplete_fields = [
        "party",
        "proposal",
        "term",
        "round",
        "speaker",
        "source",
        "conditional_on",
    ]
    readonly_fields = META_READONLY

    def has_change_permission(self, request, obj=None):
        # Positions are never overwritten: record a new one to correct a stance.
        return obj is None and super().has_change_permission(request)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("party", "proposal", "term", "speaker", "source")
        )


@admin.register(ImplementationEvent)
class ImplementationEventAdmin(ServiceAdmin):
    create_service = staticmethod(services.implementation_event_record)
    update_service = staticmethod(services.implementation_event_update)
    delete_service = staticmethod(services.implementation_event_delete)
    instance_arg = "event"
    list_display = ["term", "kind", "happened_on", "by_party", "quantity", "completes", "source"]
    list_filter = ["kind", "completes", "by_party", "term__proposal__negotiation"]
    search_fields = ["note", "location", "term__text", "term__proposal__title"]
    date_hierarchy = "happened_on"
    inlines = [figures_admin.EventFigureInline]
    autocomplete_fields = ["term", "by_party", "to_party", "source"]
    raw_id_fields = ["reverses"]
    readonly_fields = META_READONLY


@admin.register(Commitment)
class CommitmentAdmin(ServiceAdmin):
    create_service = staticmethod(services.commitment_create)
    update_service = staticmethod(services.commitment_update)
    delete_service = staticmethod(services.commitment_delete)
    instance_arg = "commitment"
    list_display = ["term", "party", "quantity", "quantity_high", "approximate", "unit"]
    inlines = [figures_admin.CommitmentFigureInline]
    list_filter = ["party", "term__proposal__negotiation"]
    search_fields = ["note", "term__text", "term__proposal__title"]
    autocomplete_fields = ["term", "party"]
    readonly_fields = META_READONLY

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("term", "party")


@admin.register(ProposalLink)
class ProposalLinkAdmin(ServiceAdmin):
    create_service = staticmethod(services.proposal_link_create)
    update_service = staticmethod(lambda **kwargs: None)
    delete_service = staticmethod(services.proposal_link_delete)
    instance_arg = "link"
    list_display = ["from_proposal", "kind", "to_proposal", "linked_on"]
    list_filter = ["kind"]
    autocomplete_fields = ["from_proposal", "to_proposal"]
    search_fields = ["from_proposal__title", "to_proposal__title"]
    readonly_fields = META_READONLY

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)
