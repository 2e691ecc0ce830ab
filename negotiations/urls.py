from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from negotiations.api.renderers import JSONErrors
from negotiations.ops import errors, health


# The query parameters drf-spectacular's views read (the API's query strings are strict:
# negotiations/api/strict.py).
class SchemaView(JSONErrors, SpectacularAPIView):
    extra_parameters = ("lang", "version")


class DocsView(JSONErrors, SpectacularSwaggerSplitView):
    extra_parameters = ("lang", "version", "script")
    empty_parameters = ("script",)  # the page loads its script as ?script=


# Swagger UI's page has one small <style> block: allow exactly it (by hash), nothing else.
api_docs = csp_update({"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]})(
    DocsView.as_view(url_name="schema")
)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("proposals.urls")),
    path("accounts/", include("negotiations.core.accounts")),
    path("edit/", include("negotiations.editing.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include("negotiations.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
]

# Django's error pages: the API's JSON under /api/, the site's pages elsewhere.
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
