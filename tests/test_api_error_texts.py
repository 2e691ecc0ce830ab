"""Error texts are plain words a client can act on (negotiations/api/messages.py): wrong
types posted to every writable field of every resource, walked from the router, never get
a message naming a Python or DRF type ("A valid biginteger is required.", "Incorrect
type. Expected pk value, received str.", "Not a valid string."), and every answer keeps
the API's one error shape."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from rest_framework import serializers

from negotiations.api.fields import IdField, IdListField
from negotiations.api_urls import router
from tests.api_support import EDITOR, api_env, client_for, make_user  # noqa: F401
from tests.test_api_errors import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

JARGON = re.compile(
    r"\b(int|integer|biginteger|str|string|pk|dict|dictionary|float|bool|boolean|NoneType|"
    r"datatype|OrderedDict)\b|Incorrect type|Expected a|object does not exist|valid choice",
    re.IGNORECASE,
)
WRONG = ["text", 1.5, True, [1], {"a": 1}, 999_999_999, "", "9" * 1_200]
WRITABLE = [
    (prefix, viewset)
    for prefix, viewset, _ in router.registry
    if hasattr(viewset, "create") and viewset.serializer_class is not None
]


def messages_in(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in messages_in(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in messages_in(value)]
    return [str(errors)]


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


def post(editor, url: str, body) -> dict:
    cache.clear()  # the write throttle: this sends more than a minute's allowance
    response = editor.post(url, body, format="json")
    if response.status_code == 201:
        return {}
    return assert_error(response, 400, "invalid")


def assert_plain(body: dict, sent) -> None:
    for message in messages_in(body.get("errors", {})):
        assert not JARGON.search(message), (sent, message)


@pytest.mark.parametrize(("prefix", "viewset"), WRITABLE, ids=[p for p, _ in WRITABLE])
def test_wrong_types_in_every_writable_field_get_plain_messages(editor, prefix, viewset):
    fields = {
        name: field
        for name, field in viewset.serializer_class().fields.items()
        if not field.read_only
    }
    assert fields
    for name, field in fields.items():
        for value in WRONG:
            body = post(editor, f"/api/v1/{prefix}/", {name: value})
            assert_plain(body, (name, value))
        if isinstance(field, serializers.ChoiceField):
            said = " ".join(post(editor, f"/api/v1/{prefix}/", {name: "nonsense"})["errors"][name])
            assert "is not one of the choices: " in said and str(next(iter(field.choices))) in said
        if isinstance(field, IdField | IdListField):
            unknown = [999_999] if isinstance(field, IdListField) else 999_999
            said = " ".join(post(editor, f"/api/v1/{prefix}/", {name: unknown})["errors"][name])
            assert re.search(r"There is no [a-z ]+ 999999\.", said), said


@pytest.mark.parametrize("body", [[1], "text", 3])
def test_a_body_that_is_not_an_object_is_told_so(editor, body):
    errors = post(editor, "/api/v1/parties/", body)["errors"]
    assert errors == {"non_field_errors": ['Must be an object, e.g. {"title": "Ceasefire"}.']}


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("number", "two", "Must be a whole number, e.g. 3."),
        ("number", 1.5, "Must be a whole number, e.g. 3."),
        ("number", "9" * 1200, "Too many digits for a number."),
        ("title", ["a"], 'Must be text, e.g. "Istanbul".'),
        ("status", "over", "“over” is not one of the choices: scheduled, held, postponed"),
    ],
)
def test_the_plain_texts_say_what_to_send(editor, field, value, said):
    errors = post(editor, "/api/v1/rounds/", {field: value})["errors"]
    assert said in " ".join(errors[field])


def test_a_wrong_flag_in_a_body_says_true_or_false(editor):
    errors = post(editor, "/api/v1/terms/", {"deliverable": "perhaps"})["errors"]
    assert errors["deliverable"] == ["Must be true or false."]


def test_the_token_and_deleted_feed_inputs_speak_plainly(editor):
    cache.clear()
    response = client_for().post(
        "/api/v1/auth/tokens/", {"username": ["x"], "days": "many"}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert body["errors"]["days"] == ["Must be a whole number, e.g. 3."]
    assert_plain(body, "token")
    response = client_for().get("/api/v1/deleted/?type=party&type=nothing&since=yesterday")
    body = assert_error(response, 400, "invalid")
    assert_plain(body, "deleted")
    assert "is not one of the choices: " in body["errors"]["type"][0]
    assert body["errors"]["since"] == ["Must be a moment in ISO 8601, e.g. 2025-06-02T10:00:00Z."]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("status=bogus", "“bogus” is not one of the choices: not_tabled, open,"),
        ("kind=50%25", "“50%” is not one of the choices:"),
        ("updated_since=yesterday", "Must be a moment in ISO 8601, e.g. 2025-06-02T10:00:00Z."),
    ],
)
def test_a_query_value_that_is_wrong_is_told_what_it_may_be(query, says):
    """Django's own "Select a valid choice. … is not one of the available choices." and
    "Enter a valid date/time." name neither the choices nor the form."""
    response = client_for().get(f"/api/v1/proposals/?{query}")
    assert response.status_code == 400, response.content
    [message] = response.json()["errors"][query.split("=")[0]]
    assert says in message


def test_dry_run_takes_the_words_every_flag_takes():
    response = client_for(make_user("eddie", EDITOR)).post(
        "/api/v1/rounds/outcome/?dry_run=yes", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["dry_run"] == ["Give true or false."]
