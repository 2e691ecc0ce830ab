"""The API's JSON parser (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

DRF's parser hands the body to the standard library, which recurses once per nesting
level: a body nested 1,000 deep raised RecursionError, a 500. orjson parses without
Python recursion (it stops at 1,024 levels itself) and refuses invalid UTF-8 and lone
surrogates; a walk with an explicit stack then bounds the nesting and finds NUL
characters, which PostgreSQL text cannot hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

import orjson
from rest_framework import exceptions, parsers

# The deepest body the API takes is 2 (an object holding lists of ids); 32 leaves room.
MAX_DEPTH = 32


def _refuse(detail: str) -> exceptions.ParseError:
    return exceptions.ParseError(f"The body is not JSON this API accepts: {detail}")


def _child(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def check_tree(data: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and NUL characters, naming where they are."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ValidationError(
                    {path or "non_field_errors": ["Remove the NUL character (\\u0000)."]}
                )
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise _refuse(
                    f"arrays and objects nest deeper than {MAX_DEPTH} levels "
                    f"(at {path or 'the top'}); no request needs more than 2."
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise _refuse("a key holds a NUL character (\\u0000).")
                stack.append((item, depth + 1, _child(path, key)))


class JSONParser(parsers.JSONParser):
    """JSON in UTF-8, nested at most MAX_DEPTH deep, with no NUL character in any string."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        charset = (parser_context or {}).get("encoding") or "utf-8"
        if charset.lower().replace("_", "-") not in {"utf-8", "utf8"}:
            raise _refuse(f"JSON is sent in UTF-8, not {charset}.")
        try:
            data = orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            if str(exc).startswith("depth limit exceeded"):
                raise _refuse(f"arrays and objects nest deeper than {MAX_DEPTH} levels.") from None
            raise _refuse(f"{exc}.") from None
        check_tree(data)
        return data
