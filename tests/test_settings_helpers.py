import pytest
from django.core.exceptions import ImproperlyConfigured

from negotiations.env import env_networks, env_rate
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


def test_networks_are_comma_separated_cidr_ranges(monkeypatch):
    monkeypatch.setenv("PARLEY_NETS", "10.0.0.0/8, fc00::/7")
    assert [str(n) for n in env_networks("PARLEY_NETS", "")] == ["10.0.0.0/8", "fc00::/7"]


def test_a_network_with_host_bits_fails_loudly(monkeypatch):
    monkeypatch.setenv("PARLEY_NETS", "10.0.0.1/8")
    with pytest.raises(ImproperlyConfigured, match="PARLEY_NETS: '10.0.0.1/8' is not a network"):
        env_networks("PARLEY_NETS", "")


def test_the_settings_module_stays_short_with_the_accounts_settings_apart():
    from pathlib import Path

    import negotiations.settings

    assert len(Path(negotiations.settings.__file__).read_text().splitlines()) < 380
    assert negotiations.settings.AXES_FAILURE_LIMIT == 5


def test_a_rate_is_a_count_per_period(monkeypatch):
    monkeypatch.setenv("PARLEY_RATE", "30/hour")
    assert env_rate("PARLEY_RATE", "1/day") == "30/hour"
    monkeypatch.setenv("PARLEY_RATE", "30 per hour")
    with pytest.raises(ImproperlyConfigured, match="PARLEY_RATE='30 per hour' is not a rate"):
        env_rate("PARLEY_RATE", "1/day")
