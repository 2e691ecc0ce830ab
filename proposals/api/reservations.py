"""The reservations standing on a proposal, as its detail nests them."""

from __future__ import annotations

from rest_framework import serializers


class ReservationSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="The position accepting with reservations.")
    party = serializers.IntegerField()
    term = serializers.IntegerField(allow_null=True, help_text="null: on the whole proposal.")
    term_label = serializers.CharField(allow_null=True)
    reservations = serializers.CharField(help_text="What the party reserves, in its words.")
    stated_on = serializers.DateField()


RESERVATION_EXAMPLE = {
    "position": 11,
    "party": 2,
    "term": None,
    "term_label": None,
    "reservations": "The timing of the second stage is to be agreed separately.",
    "stated_on": "2025-06-02",
}
