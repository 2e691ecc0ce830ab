"""Django admin that writes through the services.

The admin's own ModelForm validation runs first; then the form asks the service to do
the write inside a savepoint that is rolled back (a dry run), so the cross-row rules of
the services show up as form errors next to the fields instead of as a server error.
The real write happens in save_model / save_formset, through the same service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction

from negotiations.core.versioning import VersionConflict


class _DryRun(Exception):
    pass


def dry_run(form: forms.ModelForm, call: Callable[[], Any]) -> None:
    try:
        with transaction.atomic():
            call()
            raise _DryRun
    except _DryRun:
        pass
    except VersionConflict as conflict:
        form.add_error(None, str(conflict))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)


class ServiceModelForm(forms.ModelForm):
    """Carries the version the editor loaded, so a concurrent save is caught."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    service_admin: ServiceAdmin | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns the cleaned data
        service_admin = self.service_admin
        if service_admin is not None and not self.errors:
            dry_run(self, lambda: service_admin.write(self, self.instance.pk is not None))
        return cleaned


class ServiceAdmin(admin.ModelAdmin):
    """Subclasses name their services; `instance_arg` is the keyword the update service
    takes the object by (e.g. "proposal")."""

    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    delete_service: Callable[..., Any] | None = None
    instance_arg: str
    form = ServiceModelForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"service_admin": self})

    def service_kwargs(self, form: forms.ModelForm, change: bool) -> dict[str, Any]:
        names = [n for n in form.cleaned_data if n != "expected_version"]
        if change:
            names = [n for n in names if n in form.changed_data]
        return {name: form.cleaned_data[name] for name in names}

    def write(self, form: forms.ModelForm, change: bool) -> Any:
        kwargs = self.service_kwargs(form, change)
        if not change:
            return self.create_service(**kwargs)
        # Re-read the row: the form's instance already carries the edited values.
        current = type(form.instance)._default_manager.get(pk=form.instance.pk)
        return self.update_service(
            **{self.instance_arg: current},
            expected_version=form.cleaned_data.get("expected_version") or current.version,
            **kwargs,
        )

    def save_model(self, request, obj, form, change):
        saved = self.write(form, change)
        obj.pk = saved.pk
        obj.version = saved.version

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields went through the service with the object itself.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        inline = getattr(formset, "service_inline", None)
        if inline is None:
            return super().save_formset(request, form, formset, change)
        parent = form.instance
        # The admin's change message reads these three lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not hasattr(row, "cleaned_data") or not row.cleaned_data:
                continue
            if row.cleaned_data.get("DELETE"):
                if row.instance.pk:
                    inline.delete_row(row.instance, f"deleted in the admin by {request.user}")
                    formset.deleted_objects.append(row.instance)
            elif row.instance.pk is None:
                formset.new_objects.append(
                    inline.create_row(parent, inline.row_data(row, change=False))
                )
            elif row.has_changed():
                current = type(row.instance)._default_manager.get(pk=row.instance.pk)
                updated = inline.update_row(
                    current,
                    inline.row_data(row, change=True),
                    row.cleaned_data.get("expected_version") or current.version,
                )
                formset.changed_objects.append((updated, row.changed_data))

    def delete_model(self, request, obj):
        if self.delete_service is None:
            return super().delete_model(request, obj)
        self.delete_service(
            **{self.instance_arg: obj}, reason=f"deleted in the admin by {request.user}"
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except VersionConflict as conflict:
            # A save that raced past the form's check: nothing was written.
            self.message_user(request, str(conflict), messages.ERROR)
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.get_full_path())


class ServiceInlineForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    service_inline: ServiceInline
    parent: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns the cleaned data
        if self.parent is None or self.errors or cleaned.get("DELETE") or not self.has_changed():
            return cleaned
        inline = self.service_inline
        if self.instance.pk is None:
            dry_run(self, lambda: inline.create_row(self.parent, inline.row_data(self, False)))
        else:
            current = type(self.instance)._default_manager.get(pk=self.instance.pk)
            dry_run(
                self,
                lambda: inline.update_row(
                    current, inline.row_data(self, True), cleaned.get("expected_version")
                ),
            )
        return cleaned


class ServiceInline(admin.TabularInline):
    """An inline whose rows are written through services."""

    form = ServiceInlineForm
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = type(formset.form.__name__, (formset.form,), {"service_inline": self, "parent": obj})
        return type(formset.__name__, (formset,), {"form": form, "service_inline": self})

    def row_data(self, form: forms.ModelForm, change: bool) -> dict[str, Any]:
        skip = {"expected_version", "DELETE", "id", self.fk_name or ""}
        names = [n for n in form.cleaned_data if n not in skip]
        if change:
            names = [n for n in names if n in form.changed_data]
        data = {name: form.cleaned_data[name] for name in names}
        fk = form._meta.model._meta.get_field(self.fk_name) if self.fk_name else None
        if fk is not None:
            data.pop(fk.name, None)
        return data

    def create_row(self, parent: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_row(self, obj: Any, data: dict[str, Any], expected_version: int | None) -> Any:
        raise NotImplementedError

    def delete_row(self, obj: Any, reason: str) -> None:
        raise NotImplementedError
