from django.contrib import admin

from negotiations.core.admin_base import ServiceAdmin
from parties import services
from parties.models import Party, Person


@admin.register(Party)
class PartyAdmin(ServiceAdmin):
    create_service = staticmethod(services.party_create)
    update_service = staticmethod(services.party_update)
    instance_arg = "party"
    list_display = ["name", "short_name", "kind", "country_code", "wikidata_id", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    create_service = staticmethod(services.person_create)
    update_service = staticmethod(services.person_update)
    instance_arg = "person"
    list_display = ["name", "party", "title"]
    list_filter = ["party"]
    search_fields = ["name", "aliases", "title", "party__name"]
    autocomplete_fields = ["party"]
    readonly_fields = ["version", "created_at", "updated_at"]
