"""The pure engine spells statuses and stances as the models do (one vocabulary)."""

from proposals import engine
from proposals.models import AGREED_OR_BEYOND, Stance, Status


def test_the_engine_statuses_are_the_models_statuses():
    spelled = {
        engine.OPEN,
        engine.CONDITIONAL,
        engine.AGREED,
        engine.SUSPENDED,
        engine.IN_IMPLEMENTATION,
        engine.IMPLEMENTED,
        engine.REJECTED,
        engine.WITHDRAWN,
        engine.SUPERSEDED,
        engine.PARTIALLY_AGREED,
        engine.NOT_TABLED,
    }
    assert spelled == set(Status.values)
    assert set(engine.ADVANCEMENT) == set(AGREED_OR_BEYOND)


def test_the_engine_stances_are_the_models_stances():
    spelled = {
        engine.PROPOSES,
        engine.SUPPORTS,
        engine.ACCEPTS,
        engine.ACCEPTS_WITH_RESERVATIONS,
        engine.CONDITIONAL_STANCE,
        engine.UNDECIDED,
        engine.REJECTS,
        engine.WITHDRAWS,
    }
    assert spelled == set(Stance.values)


def test_the_models_import_the_one_vocabulary_the_engine_defines():
    assert Status is engine.Status and Stance is engine.Stance
    assert AGREED_OR_BEYOND is engine.AGREED_OR_BEYOND
