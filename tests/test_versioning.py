"""Optimistic locking: an update applies only to the version the editor read."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from negotiations.core.versioning import VersionConflict
from parties.models import Party
from parties.services import party_create, party_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def party():
    return party_create(name="Republic of Moldova", short_name="Moldova")


def test_an_update_bumps_the_version(party):
    party_update(party=party, expected_version=1, description="Neighbour")
    stored = Party.objects.get(pk=party.pk)
    assert (stored.version, stored.description) == (2, "Neighbour")
    assert stored.updated_at > stored.created_at


def test_it_rejects_a_stale_version_and_writes_nothing(party):
    colleague = Party.objects.get(pk=party.pk)
    party_update(party=colleague, expected_version=1, description="Saved first")
    with pytest.raises(VersionConflict, match="changed by someone else"):
        party_update(party=party, expected_version=1, description="Saved second")
    assert Party.objects.get(pk=party.pk).description == "Saved first"


def test_the_version_check_is_part_of_the_update_itself(party):
    stale_copy = Party.objects.get(pk=party.pk)
    Party.objects.filter(pk=party.pk).update(version=7)  # another process, between read and write
    with pytest.raises(VersionConflict):
        party_update(party=stale_copy, description="Lost update")
    assert Party.objects.get(pk=party.pk).description == ""


def test_an_invalid_update_is_refused_before_any_write(party):
    with pytest.raises(ValidationError) as raised:
        party_update(party=party, country_code="md")
    assert "two capital letters" in str(raised.value)
    assert Party.objects.get(pk=party.pk).version == 1


def test_a_deleted_object_reports_a_conflict(party):
    copy = Party.objects.get(pk=party.pk)
    Party.objects.filter(pk=party.pk).delete()
    with pytest.raises(VersionConflict, match="deleted"):
        party_update(party=copy, description="Too late")
