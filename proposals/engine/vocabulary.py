"""The one vocabulary of statuses and stances: the engine's and the models' (DESIGN §3).

`Status` and `Stance` are the models' choices (proposals/models.py imports them); the
engine compares and returns their plain string values, which is what the database stores.
They are Django's TextChoices (a str enum with labels, from django.db.models.enums: no
ORM, no settings), so the engine stays plain Python that any test can run.
"""

from __future__ import annotations

from django.db.models.enums import TextChoices


class Status(TextChoices):
    NOT_TABLED = "not_tabled", "Not yet tabled"
    OPEN = "open", "Open"
    CONDITIONAL = "conditional", "Conditional"
    AGREED = "agreed", "Agreed"
    SUSPENDED = "suspended", "Suspended"
    IN_IMPLEMENTATION = "in_implementation", "In implementation"
    IMPLEMENTED = "implemented", "Implemented"
    PARTIALLY_AGREED = "partially_agreed", "Partially agreed"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPERSEDED = "superseded", "Superseded"


class Stance(TextChoices):
    PROPOSES = "proposes", "proposes"
    SUPPORTS = "supports", "supports"
    ACCEPTS = "accepts", "accepts"
    ACCEPTS_WITH_RESERVATIONS = "accepts_with_reservations", "accepts with reservations"
    CONDITIONAL = "conditional", "accepts on conditions"
    UNDECIDED = "undecided", "is undecided on"
    REJECTS = "rejects", "rejects"
    WITHDRAWS = "withdraws", "withdraws"


PROPOSES, SUPPORTS, ACCEPTS = Stance.PROPOSES.value, Stance.SUPPORTS.value, Stance.ACCEPTS.value
UNDECIDED, REJECTS, WITHDRAWS = Stance.UNDECIDED.value, Stance.REJECTS.value, Stance.WITHDRAWS.value
CONDITIONAL_STANCE = Stance.CONDITIONAL.value
ACCEPTS_WITH_RESERVATIONS = Stance.ACCEPTS_WITH_RESERVATIONS.value

OPEN, CONDITIONAL, AGREED = Status.OPEN.value, Status.CONDITIONAL.value, Status.AGREED.value
IN_IMPLEMENTATION, IMPLEMENTED = Status.IN_IMPLEMENTATION.value, Status.IMPLEMENTED.value
SUSPENDED = Status.SUSPENDED.value
REJECTED, WITHDRAWN = Status.REJECTED.value, Status.WITHDRAWN.value
SUPERSEDED, PARTIALLY_AGREED = Status.SUPERSEDED.value, Status.PARTIALLY_AGREED.value
NOT_TABLED = Status.NOT_TABLED.value

# Reservations never hold a term back: they are listed with the text, not waited for.
AGREEING = frozenset({PROPOSES, SUPPORTS, ACCEPTS, ACCEPTS_WITH_RESERVATIONS})
# "Agreed or beyond", least advanced first. An agreed term whose implementation is
# suspended (or halted) and not yet resumed is `suspended`: still agreed, but behind one
# that is being carried out.
ADVANCEMENT = {AGREED: 0, SUSPENDED: 1, IN_IMPLEMENTATION: 2, IMPLEMENTED: 3}
# Agreed, or further along: what counts as agreement in shares, pages and summaries.
AGREED_OR_BEYOND = frozenset(Status(status) for status in ADVANCEMENT)
DEAD = frozenset({REJECTED, WITHDRAWN})


class EventKind(TextChoices):
    """What a line of the exchange ledger records (ImplementationEvent.kind)."""

    DELIVERY = "delivery", "Delivery"
    SUSPENSION = "suspension", "Suspension"
    RESUMPTION = "resumption", "Resumption"
    BREACH = "breach", "Breach"
    HALT = "halt", "Halt"
    REVERSAL = "reversal", "Reversal"
    DISPUTE = "dispute", "Dispute"


DELIVERY, REVERSAL = EventKind.DELIVERY.value, EventKind.REVERSAL.value
DISPUTE, BREACH = EventKind.DISPUTE.value, EventKind.BREACH.value
SUSPENSION, HALT, RESUMPTION = (
    EventKind.SUSPENSION.value,
    EventKind.HALT.value,
    EventKind.RESUMPTION.value,
)
