"""API resources of the negotiation domain: negotiations, participations, rounds,
delegations."""
