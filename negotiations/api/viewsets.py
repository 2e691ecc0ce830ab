"""The base of every API resource: a list and a detail built from values() (no
per-object serializer on reads), conditional GET, and writes that go through services.

A resource declares its model, its serializer (whose Meta.fields are also the values()
names and the output keys), its many-to-many id lists, a filter set, and the services it
writes with.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import Count, F, Max, Subquery, Sum
from django.http import HttpResponseBase
from django.utils import timezone
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from negotiations.api.conditional import (
    cached,
    expected_version,
    latest,
    make_etag,
    not_modified,
    set_validators,
)
from negotiations.api.fields import DayField, IdField, ItemListField
from negotiations.api.filters import array_of, filter_parameters
from negotiations.api.messages import PlainErrors
from negotiations.api.pagination import ChangeCursorPagination, page_response
from negotiations.api.permissions import WriteThrottle
from negotiations.api.renderers import CSVRenderer, FastJSONRenderer, JSONErrors
from negotiations.api.strict import StrictQuery
from negotiations.core.versioning import Versioned

Rows = list[dict[str, Any]]  # rows of a list response, as `shape` gives them

# Part of every cached detail's and page's key: bump it with a change to what an unchanged
# row renders as (a new field, another rule), so no copy cached before it is served after.
CACHE_GENERATION = 1


class ResourceViewSet(StrictQuery, JSONErrors, viewsets.GenericViewSet):
    """Read side of a resource. Subclasses add write mixins for what their services do."""

    model: ClassVar[type[models.Model]]
    serializer_class: type[serializers.ModelSerializer]
    columns: ClassVar[tuple[str, ...]]
    # output name -> (through model, its column pointing at this row, the id column)
    arrays: ClassVar[Mapping[str, tuple[type[models.Model], str, str]]] = {}
    changed_at: ClassVar[Any] = F("updated_at")
    list_fingerprint: ClassVar[Mapping[str, Any]] = {}
    csv_name: ClassVar[str]

    pagination_class = ChangeCursorPagination
    throttle_classes = [WriteThrottle]
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> models.QuerySet:
        return self.model._default_manager.annotate(changed_at=self.changed_at)

    def query_parameters(self) -> list[str]:
        """A list reads its filters and pagination; a detail `as_of` where the resource
        takes it (AsOfParameter); the mixins add theirs (StrictQuery)."""
        action = getattr(self, "action", None)
        if action != "list":
            return ["as_of"] if action in getattr(self, "as_of_actions", ()) else []
        paginator = ChangeCursorPagination
        filterset = getattr(self, "filterset_class", None)
        return [
            *(filter_parameters(filterset) if filterset is not None else ()),
            paginator.cursor_query_param,
            paginator.page_size_query_param,
        ]

    def get_renderers(self) -> list[Any]:
        if getattr(self, "action", None) == "list":
            return [FastJSONRenderer(), CSVRenderer()]
        return [FastJSONRenderer()]

    # ----- rows

    def value_expressions(self) -> dict[str, Any]:
        return {f"{name}_ids": array_of(*spec) for name, spec in self.arrays.items()}

    def values(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.values(*self.columns, **self.value_expressions())

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        """A values() row as output: id lists renamed, keys in the documented order (keys
        only a detail uses, such as fingerprints, stay at the end)."""
        for name in self.arrays:
            row[name] = row.pop(f"{name}_ids")
        order = self.serializer_class.Meta.fields
        return {**{k: row[k] for k in order if k in row}, **row}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        pk = kwargs.get("pk")
        if pk is not None and not re.fullmatch(r"[0-9]{1,18}", str(pk)):
            raise exceptions.NotFound(f"There is no {self.model._meta.verbose_name} {pk!r}.")

    @property
    def is_csv(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format == "csv"

    # ----- list

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        queryset = self.filter_queryset(self.get_queryset())
        deleted = self.last_deleted()
        fingerprint = queryset.aggregate(
            count=Count("pk"),
            last=Max("changed_at"),
            versions=self.versions_aggregate(queryset),
            **({"deleted": Max(deleted)} if deleted is not None else {}),
            **self.fingerprint_expressions(queryset),
        )
        last_modified = latest([fingerprint["last"], fingerprint.get("deleted")])
        etag = make_etag(request.get_full_path(), self.is_csv, fingerprint)
        # Only the ETag can say a list is unchanged: a row that left the filter (its
        # status changed) lowers no timestamp, so If-Modified-Since would wrongly be met.
        if unchanged := not_modified(request, etag, None):
            return unchanged
        if self.is_csv:
            values = self.values(queryset)
            response = Response(self.shape_rows(values.order_by("changed_at", "pk")))
            stamp = timezone.localdate().isoformat()
            response["Content-Disposition"] = (
                f'attachment; filename="parley-{self.csv_name}-{stamp}.csv"'
            )
        else:
            rows, next_url = self.page(queryset, etag)
            response = page_response(rows, fingerprint["count"], next_url)
        set_validators(response, etag, last_modified)
        return response

    # Seconds a list's page is kept in the cache, keyed by its ETag, for a resource whose
    # list fingerprint moves with every change its rows show (Proposal.content_version).
    list_cache_seconds: ClassVar[int] = 0

    def page(self, queryset: models.QuerySet, etag: str) -> tuple[Rows, str | None]:
        """The page's shaped rows and the next page's URL, cached by the list's ETag."""
        paginator = self.paginator
        assert isinstance(paginator, ChangeCursorPagination)  # pagination_class above

        def read() -> tuple[Rows, str | None]:
            rows, next_url = paginator.paginate(self.values(queryset), self.request)
            return self.shape_rows(rows), next_url

        if not self.list_cache_seconds:
            return read()
        # The next page's URL is absolute: the host and scheme are part of the key.
        uri = self.request.build_absolute_uri()
        key = f"parley:api-page:{CACHE_GENERATION}:{make_etag(etag, uri)}"
        return cached(key, self.list_cache_seconds, read)

    def fingerprint_expressions(self, queryset: models.QuerySet) -> Mapping[str, Any]:
        """Aggregates over the listed rows (`queryset`, filtered) that the list's ETag
        hashes besides their count, changes and versions: what else a row of this request
        shows (list_fingerprint)."""
        return self.list_fingerprint

    def shape_rows(self, rows: Iterable[dict[str, Any]]) -> Rows:
        """A page's (or a CSV's) rows, shaped. A resource whose `shape` reads other tables
        reads them here once for all the rows."""
        return [self.shape(row) for row in rows]

    def version_expression(self) -> Any:
        return "version"

    def versions_aggregate(self, queryset: models.QuerySet) -> Any:
        """What the list's ETag takes of the listed rows' versions: an aggregate."""
        return Sum(self.version_expression())

    def last_deleted(self) -> Subquery | None:
        """When a row of this kind was last deleted (a deletion changes the lists too), as
        a subquery of the fingerprint's single query."""
        events = getattr(self.model, "pgh_event_model", None)
        if events is None:
            return None
        return Subquery(
            events.objects.filter(pgh_label="delete")
            .order_by("-pgh_id")
            .values("pgh_created_at")[:1]
        )

    # ----- detail

    detail_columns: ClassVar[tuple[str, ...]] = ()

    def detail_annotations(self) -> dict[str, Any]:
        """Subqueries fingerprinting what a nested detail includes (for its ETag)."""
        return {}

    def detail_row(self, pk: Any) -> dict[str, Any]:
        row = (
            self.get_queryset()
            .filter(pk=pk)
            .values(
                *self.columns,
                *self.detail_columns,
                **self.value_expressions(),
                **self.detail_annotations(),
            )
            .first()
        )
        if row is None:
            raise exceptions.NotFound(f"There is no {self.model._meta.verbose_name} {pk}.")
        return self.shape(row)

    def detail_validators(self, row: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
        etag = make_etag(self.request.get_full_path(), row, version=row.get("version"))
        return etag, row.get("changed_at")

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in self.serializer_class.Meta.fields}

    # Seconds a rendered detail is kept in the cache, keyed by its ETag; only for a
    # resource whose ETag is a version the database keeps (stored_validators), 0: never.
    detail_cache_seconds: ClassVar[int] = 0

    def stored_validators(self, pk: Any) -> tuple[str, datetime.datetime | None] | None:
        """The detail's ETag and Last-Modified without reading the detail, for a resource
        that stores them (one indexed lookup); None: read the detail to know them."""
        return None

    def retrieve(
        self, request: Request, pk: Any = None, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        validators = self.stored_validators(pk)
        row = None
        if validators is None:
            row = self.detail_row(pk)
            validators = self.detail_validators(row)
        if unchanged := not_modified(request, *validators):
            return unchanged

        def read() -> dict[str, Any]:
            return self.detail_data(row if row is not None else self.detail_row(pk))

        # The ETag names the stored content version (and the query): any write the detail
        # shows gives another key, so a cached detail is never stale. Read after the
        # version, the detail is that version's or a newer one's.
        key = f"parley:api-detail:{CACHE_GENERATION}:{validators[0]}"
        seconds = self.detail_cache_seconds
        response = Response(cached(key, seconds, read) if seconds else read())
        set_validators(response, *validators)
        return response

    # ----- writes (used by the mixins below)

    def get_object_for_write(self, pk: Any) -> Versioned:
        try:
            instance = self.model._default_manager.get(pk=pk)
        except ObjectDoesNotExist:
            raise exceptions.NotFound(
                f"There is no {self.model._meta.verbose_name} {pk}."
            ) from None
        assert isinstance(instance, Versioned)  # only versioned resources take writes
        return instance

    def written(self, instance: models.Model, code: int) -> Response:
        """The representation after a write, with the new ETag to send with the next one."""
        row = self.detail_row(instance.pk)
        etag, last_modified = self.detail_validators(row)
        response = Response(self.detail_data(row), status=code)
        set_validators(response, etag, last_modified)
        if code == status.HTTP_201_CREATED:
            response["Location"] = self.request.build_absolute_uri(f"{instance.pk}/")
        return response


class CreateMixin(ResourceViewSet):
    """POST: validate with the input serializer, then call the service. Viewsets name
    their services (`create_service = staticmethod(services.x_create)`), as the admin
    does (negotiations/core/admin_base.py)."""

    create_service: ClassVar[Callable[..., Any]]

    def perform_create(self, data: dict[str, Any]) -> models.Model:
        return self.create_service(**data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.perform_create(dict(serializer.validated_data))
        return self.written(instance, status.HTTP_201_CREATED)


class UpdateMixin(ResourceViewSet):
    """PATCH with If-Match: only the fields sent change; the service's conditional UPDATE
    refuses a version someone else has already replaced."""

    update_service: ClassVar[Callable[..., Any]]
    instance_arg: ClassVar[str]  # the keyword the update and delete services take it by

    def perform_update(
        self, instance: models.Model, version: int, changes: dict[str, Any]
    ) -> models.Model:
        return self.update_service(
            **{self.instance_arg: instance}, expected_version=version, **changes
        )

    def partial_update(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        instance = self.get_object_for_write(pk)
        version = expected_version(request, instance.version)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if not changes:
            raise exceptions.ValidationError(
                {"non_field_errors": ["Send at least one field to change."]}
            )
        with transaction.atomic():
            updated = self.perform_update(instance, version, changes)
        return self.written(updated, status.HTTP_200_OK)


class DeleteMixin(ResourceViewSet):
    """DELETE with `?reason=` (kept in the audit history and the deleted-ids feed);
    If-Match is optional and, when sent, must name the current version."""

    reason_required: ClassVar[bool] = True
    delete_service: ClassVar[Callable[..., Any]]
    instance_arg: ClassVar[str]

    def query_parameters(self) -> list[str]:
        reason = ["reason"] if getattr(self, "action", None) == "destroy" else []
        return [*super().query_parameters(), *reason]

    def perform_destroy(self, instance: models.Model, reason: str) -> None:
        self.delete_service(**{self.instance_arg: instance}, reason=reason)

    def destroy(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        import pghistory

        instance = self.get_object_for_write(pk)
        if request.headers.get("If-Match"):
            expected_version(request, instance.version)
        reason = request.query_params.get("reason", "").strip()
        if len(reason) > 500:
            raise exceptions.ValidationError({"reason": ["Keep the reason under 500 characters."]})
        if self.reason_required and not reason:
            raise exceptions.ValidationError(
                {"reason": ["Say why this is deleted (?reason=...); the reason is kept."]}
            )
        with transaction.atomic(), pghistory.context(reason=reason):
            self.perform_destroy(instance, reason)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionedSerializer(PlainErrors, serializers.ModelSerializer):
    """Input and output of a versioned model; outputs are built from values() at run time,
    this class only validates input and describes the output in the schema. Its fields are
    the strict ones of negotiations/api/fields.py: ids, id lists, lists and dates."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DayField,
    }
    serializer_related_field = IdField

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_class is serializers.ListField:
            field_class = ItemListField
        return field_class, kwargs

    changed_at = serializers.DateTimeField(
        read_only=True,
        help_text="The sync key: when this item last changed (pass it back as updated_since).",
    )

    def to_internal_value(self, data: Any) -> Any:
        """Refuses a key that is no field of the resource, naming it: a misspelt field
        (`publsher`) would otherwise be dropped and its value lost without a word. A
        read-only field sent back as read (`id`, `status`) is no error and is ignored."""
        if isinstance(data, Mapping):
            unknown = sorted(str(name)[:100] for name in data if name not in self.fields)
            if unknown:
                takes = ", ".join(n for n, f in self.fields.items() if not f.read_only)
                message = f"Unknown field; this resource takes: {takes}."
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().to_internal_value(data)

    class Meta:
        fields: tuple[str, ...]  # each resource names its own, in output order
        read_only_fields: tuple[str, ...] = ("id", "version", "created_at", "updated_at")
        validators: list[Any] = []
