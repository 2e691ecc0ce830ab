"""Proposals, their terms, the positions taken on them and the ledger of what was carried
out; one module per concern, all importable from here."""

from __future__ import annotations

# Statuses and stances are the engine's vocabulary, defined once (proposals/engine).
from proposals.engine.vocabulary import AGREED_OR_BEYOND as AGREED_OR_BEYOND
from proposals.engine.vocabulary import EventKind as EventKind
from proposals.engine.vocabulary import Stance as Stance
from proposals.engine.vocabulary import Status as Status

from .agenda import AgendaItem as AgendaItem
from .base import CHANGED_AT as CHANGED_AT
from .base import COMPUTED_STATUS_FIELDS as COMPUTED_STATUS_FIELDS
from .base import PIPELINE_FIELDS as PIPELINE_FIELDS
from .base import StatusFields as StatusFields
from .base import consent_party_ids as consent_party_ids
from .choices import Category as Category
from .choices import LinkKind as LinkKind
from .choices import ProposalKind as ProposalKind
from .choices import SourceKind as SourceKind
from .choices import Stage as Stage
from .choices import TextStatus as TextStatus
from .content import ContentBump as ContentBump
from .figures import Figure as Figure
from .ledger import Commitment as Commitment
from .ledger import ImplementationEvent as ImplementationEvent
from .positions import Position as Position
from .proposals import Proposal as Proposal
from .proposals import ProposalLink as ProposalLink
from .proposals import Tabling as Tabling
from .proposals import tabling_day as tabling_day
from .proposals import tablings_prefetch as tablings_prefetch
from .ratification import BodyKind as BodyKind
from .ratification import RatificationStep as RatificationStep
from .ratification import StepOutcome as StepOutcome
from .sources import Source as Source
from .status import RecomputeRequest as RecomputeRequest
from .status import StatusAudit as StatusAudit
from .status import StatusChange as StatusChange
from .terms import Term as Term
