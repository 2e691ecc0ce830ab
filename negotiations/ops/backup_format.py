"""JSON Lines for export_all/import_all, registered as Django's "jsonl" format.

Django's encoder cuts datetimes to milliseconds; a backup must give back exactly what it
took (updated_at orders the API's sync cursors), so datetimes keep their microseconds.
Everything else is Django's own jsonl serializer.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(jsonl.Serializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()  # type: ignore[misc]  # private in Django, absent from django-stubs


Deserializer = jsonl.Deserializer
