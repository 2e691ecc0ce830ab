import pytest
from django.core.exceptions import ImproperlyConfigured

from negotiations.settings import env_bool, env_int, env_list, env_str


def test_booleans_accept_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("PARLEY_FLAG", "Yes")
    assert env_bool("PARLEY_FLAG", False) is True
    monkeypatch.setenv("PARLEY_FLAG", "0")
    assert env_bool("PARLEY_FLAG", True) is False


def test_a_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("PARLEY_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="PARLEY_FLAG"):
        env_bool("PARLEY_FLAG", False)


def test_a_bad_number_fails_loudly(monkeypatch):
    monkeypatch.setenv("PARLEY_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("PARLEY_N", 1)


def test_a_missing_required_value_says_which(monkeypatch):
    monkeypatch.delenv("PARLEY_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="PARLEY_SECRET"):
        env_str("PARLEY_SECRET")


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("PARLEY_HOSTS", "a.example, b.example,,")
    assert env_list("PARLEY_HOSTS") == ["a.example", "b.example"]
