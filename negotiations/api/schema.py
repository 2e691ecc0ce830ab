"""OpenAPI documentation shared by the API: the error shape with an example per status,
the standard decoration of a resource, and a hook that completes the schema (response
headers of conditional reads, an example for every parameter)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error has this shape.",
    "required": ["status", "code", "detail"],
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status, repeated."},
        "code": {"type": "string", "description": "A stable machine-readable code."},
        "detail": {"type": "string", "description": "What went wrong and what to do."},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "400 (and a round outcome's 409): field name, or JSON path "
            "such as proposals[2].terms[0].stance, -> list of problems (non_field_errors: "
            "about the whole input).",
        },
        "current_version": {
            "type": "integer",
            "description": "412 only: the version the item is at now.",
        },
    },
}


ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "The input or a query parameter is not valid; `errors` names each field or "
        "parameter. Query strings are strict: a parameter this endpoint does not take, or one "
        "sent empty, is refused, and the message lists the parameters it takes.",
        {
            "status": 400,
            "code": "invalid",
            "detail": "The request is not valid: `errors` names each field and what is "
            "wrong with it.",
            "errors": {
                "stated_on": ["A position cannot be dated in the future."],
                "party": ["There is no party 999."],
                "negotation": [
                    "This endpoint has no parameter “negotation”; it takes: cursor, format, "
                    "id, limit, negotiation, q, updated_since. Did you mean “negotiation”?"
                ],
            },
        },
    ),
    401: (
        "Not signed in: send `Authorization: Token <token>`.",
        {
            "status": 401,
            "code": "not_authenticated",
            "detail": "Authentication credentials were not provided.",
        },
    ),
    403: (
        "Signed in, but your role does not allow this.",
        {
            "status": 403,
            "code": "permission_denied",
            "detail": "Writing needs the editor role; ask an admin to add you to the group.",
        },
    ),
    404: (
        "No such item.",
        {"status": 404, "code": "not_found", "detail": "There is no proposal 999."},
    ),
    409: (
        "Conflicts with data saved at the same moment (a unique rule); read and retry.",
        {
            "status": 409,
            "code": "conflict",
            "detail": "This conflicts with data saved at the same time; read it again and retry.",
        },
    ),
    412: (
        "If-Match names a version that is no longer current: someone saved a change since "
        "you read it. Nothing was written.",
        {
            "status": 412,
            "code": "version_conflict",
            "detail": "You edited version 3, but this is now at version 4: someone changed it "
            "after you read it. Read it again and reapply your change.",
            "current_version": 4,
        },
    ),
    413: (
        "The body is larger than the server takes (2.5 MiB): send less, or split it.",
        {
            "status": 413,
            "code": "too_large",
            "detail": "The body is larger than this server takes (2.5 MiB, 2,621,440 bytes); "
            "send less, or split it into several requests.",
        },
    ),
    415: (
        "The body is not JSON: send `Content-Type: application/json`.",
        {
            "status": 415,
            "code": "unsupported_media_type",
            "detail": 'Unsupported media type "text/plain" in request.',
        },
    ),
    422: (
        "This Idempotency-Key was already used with a different request; use a new key.",
        {
            "status": 422,
            "code": "idempotency_key_reused",
            "detail": "This Idempotency-Key was already used with a different request "
            "(method, path or body). Use a new key for a new request.",
        },
    ),
    428: (
        "If-Match is missing: send the ETag of your last read.",
        {
            "status": 428,
            "code": "precondition_required",
            "detail": "Send the ETag you read in an If-Match header (for example If-Match: "
            '"v3"), so that your change cannot overwrite someone else\'s.',
        },
    ),
    429: (
        "Too many writes (or token requests) in a short time; retry after Retry-After seconds.",
        {
            "status": 429,
            "code": "throttled",
            "detail": "Request was throttled. Expected available in 42 seconds.",
        },
    ),
}


NOT_MODIFIED = OpenApiResponse(
    description="Not modified: your copy (If-None-Match / If-Modified-Since) is current."
)
READ_ERRORS = (400, 401, 403)
DETAIL_ERRORS = (400, 401, 403, 404)
CREATE_ERRORS = (400, 401, 403, 409, 413, 415, 429)
UPDATE_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415, 428, 429)
DELETE_ERRORS = (400, 401, 403, 404, 409, 412, 429)

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of your last read of this item (e.g. "v3-1f2e…"), or just its '
    'version ("v3" or "3"). Missing: 428; no longer current: 412. `If-Match: *` ("any '
    'version") is refused with 428, since it would overwrite changes you never saw; a weak '
    'ETag (W/"…") never matches (412: RFC 9110 compares If-Match strongly).',
    examples=[OpenApiExample("version 3", value='"v3"')],
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional: delete only if this is still the version you read (else 412).",
    examples=[OpenApiExample("version 1", value='"v1"')],
)
REASON = OpenApiParameter(
    "reason",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=True,
    description="Why this is deleted; kept in the audit history and the deleted-ids feed.",
    examples=[OpenApiExample("mistake", value="Recorded twice by mistake")],
)
REASON_OPTIONAL = OpenApiParameter(
    "reason",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Why this is deleted; kept in the audit history and the deleted-ids feed.",
    examples=[OpenApiExample("mistake", value="Recorded twice by mistake")],
)
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    description="Statuses and stances as they stood at the end of this day, computed by the "
    "agreement engine from the positions recorded (not the stored statuses).",
    examples=[OpenApiExample("the day before the round", value="2025-06-01")],
)


def resource_docs(
    *,
    tag: str,
    noun: str,
    example: dict[str, Any],
    request_example: dict[str, Any] | None = None,
    patch_example: dict[str, Any] | None = None,
    description: str = "",
    delete_reason_required: bool = True,
    detail_response: Any = None,
    detail_parameters: list[OpenApiParameter] | None = None,
    detail_example: dict[str, Any] | None = None,
    list_response: Any = None,
    list_parameters: list[OpenApiParameter] | None = None,
) -> Any:
    """The standard documentation of a resource's actions, with examples and errors."""
    shown = OpenApiExample(noun, value=example, response_only=True)
    detail_shown = OpenApiExample(noun, value=detail_example or example, response_only=True)
    page = OpenApiExample(
        f"a page of {tag}",
        value={"count": 1, "next": None, "results": [example]},
        response_only=True,
    )
    request_examples = (
        [OpenApiExample(f"new {noun}", value=request_example, request_only=True)]
        if request_example
        else []
    )
    patch_examples = (
        [OpenApiExample(f"change a {noun}", value=patch_example, request_only=True)]
        if patch_example
        else []
    )
    detail_kwargs: dict[str, Any] = {}
    if detail_response is not None:
        detail_kwargs["responses"] = {200: detail_response, 304: NOT_MODIFIED}
    actions = dict(
        list=extend_schema(
            tags=[tag],
            summary=f"List {tag}",
            description=f"{description}\n\nOrdered by (changed_at, id), oldest first, with "
            "cursor pagination; `?format=csv` returns every match as CSV (analysts).",
            examples=[page],
            parameters=list_parameters or [],
            **({"responses": list_response} if list_response is not None else {}),
        ),
        retrieve=extend_schema(
            tags=[tag],
            summary=f"One {noun}",
            description=description,
            examples=[detail_shown],
            parameters=detail_parameters or [],
            **detail_kwargs,
        ),
        create=extend_schema(
            tags=[tag],
            summary=f"Create a {noun} (editors)",
            examples=[*request_examples, shown],
        ),
        partial_update=extend_schema(
            tags=[tag],
            summary=f"Change a {noun} (editors, If-Match)",
            description="Send only the fields to change, with If-Match carrying the ETag you "
            "read. The change applies only if nobody saved a newer version (412 otherwise).",
            parameters=[IF_MATCH],
            examples=[*patch_examples, shown],
        ),
        destroy=extend_schema(
            tags=[tag],
            summary=f"Delete a {noun} (editors)",
            description="The deletion appears in /api/v1/deleted/ with its reason.",
            parameters=[
                REASON if delete_reason_required else REASON_OPTIONAL,
                IF_MATCH_OPTIONAL,
            ],
        ),
    )

    def decorate(view: Any) -> Any:
        present = {name: docs for name, docs in actions.items() if hasattr(view, name)}
        return extend_schema_view(**present)(view)

    return decorate


# --------------------------------------------------------------------------- hook

_ERROR_STATUSES = {
    "get": READ_ERRORS,
    "post": CREATE_ERRORS,
    "patch": UPDATE_ERRORS,
    "delete": DELETE_ERRORS,
}


def _example_for(schema: dict[str, Any], name: str) -> Any:
    if "enum" in schema and schema["enum"]:
        return next((v for v in schema["enum"] if v not in ("", None)), schema["enum"][0])
    kind = schema.get("type")
    if kind == "array":
        return [_example_for(schema.get("items", {}), name)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2025-06-02"
    if fmt == "date-time":
        return "2025-06-02T12:00:00Z"
    return {"q": "prisoner exchange"}.get(name, "istanbul")


IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    "description": "A new unique value (a UUID) per request you may retry: a repeat with the "
    "same key and the same request replays the first answer (with `Idempotent-Replayed: "
    "true`) and writes nothing; kept 24 hours (PARLEY_IDEMPOTENCY_HOURS). The same key with "
    "another request: 422; while the first still runs: 409 with Retry-After.",
    "example": "5f0c1c0e-7c1a-4f8e-9a53-2f6f0d7b9a10",
}


def complete_schema(result: dict[str, Any], generator: Any, request: Any, public: bool):
    """Add what decorators would repeat everywhere: ETag/Last-Modified headers on reads,
    ETag on writes, the error responses each method can give, an example per parameter."""
    headers = {
        "ETag": {
            "schema": {"type": "string"},
            "description": "Send back in If-None-Match (reads) or If-Match (writes).",
        },
        "Last-Modified": {
            "schema": {"type": "string"},
            "description": "Send back in If-Modified-Since.",
        },
    }
    error_ref = {"$ref": "#/components/schemas/Error"}
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _ERROR_STATUSES:
                continue
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                if code in ("200", "201") and "content" in response:
                    response.setdefault("headers", {}).update(headers)
            if not path.startswith("/api/v1/"):
                continue
            if method == "get" and {} not in operation.get("security", [{}]):
                operation["security"].append({})  # anonymous reads (PARLEY_PUBLIC_READ)
            wanted = set(_ERROR_STATUSES[method])
            if method == "get" and "{id}" in path:
                wanted.add(404)
            if method == "get":
                responses.setdefault("304", {"description": NOT_MODIFIED.description})
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                wanted.add(422)
            for code in sorted(wanted):
                if str(code) in responses:
                    continue
                description, example = ERRORS[code]
                responses[str(code)] = {
                    "description": description,
                    "content": {
                        "application/json": {
                            "schema": error_ref,
                            "examples": {str(code): {"value": example}},
                        }
                    },
                }
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id":
                    parameter["schema"] = {"type": "integer", "minimum": 1}
                    parameter["description"] = "The item's id."
                    parameter["example"] = 1
                if parameter["name"] == "id" and parameter["in"] == "query":
                    parameter.setdefault("description", "Only these ids, comma-separated (1,2,3).")
                if parameter["name"] == "format" and parameter["in"] == "query":
                    parameter["description"] = (
                        "json (the default) or csv: every match as a CSV file (analysts)."
                    )
                    parameter["example"] = "json"
                if "example" in parameter or "examples" in parameter:
                    continue
                parameter["example"] = _example_for(parameter.get("schema", {}), parameter["name"])
    return result


# The bookkeeping fields every example of a versioned resource carries.
EXAMPLE_TIMES = {
    "version": 1,
    "created_at": "2025-06-02T18:00:00Z",
    "updated_at": "2025-06-02T18:00:00Z",
    "changed_at": "2025-06-02T18:00:00Z",
}
