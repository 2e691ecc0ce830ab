"""The fixed vocabularies of proposals, terms, links and sources."""

from __future__ import annotations

from django.db import models


class SourceKind(models.TextChoices):
    NEWS = "news", "News report"
    OFFICIAL = "official", "Official statement"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class ProposalKind(models.TextChoices):
    CEASEFIRE = "ceasefire", "Ceasefire"
    EXCHANGE = "exchange", "Exchange"
    MEMORANDUM = "memorandum", "Memorandum"
    POLITICAL = "political", "Political"
    TERRITORIAL = "territorial", "Territorial"
    HUMANITARIAN = "humanitarian", "Humanitarian"
    SECURITY = "security", "Security"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other"


class TextStatus(models.TextChoices):
    OFFICIAL = "official", "Official text"
    REPORTED = "reported", "Reported"
    LEAKED = "leaked", "Leaked"
    DRAFT = "draft", "Draft"


class LinkKind(models.TextChoices):
    SUPERSEDES = "supersedes", "supersedes"
    AMENDS = "amends", "amends"
    RESPONDS_TO = "responds_to", "responds to"
    COUNTER_TO = "counter_to", "is a counter-proposal to"
    IMPLEMENTS = "implements", "implements"
    REALISES_PART_OF = "realises_part_of", "realises part of"


class Category(models.TextChoices):
    CEASEFIRE = "ceasefire", "Ceasefire"
    TERRITORY = "territory", "Territory"
    MILITARY = "military", "Military"
    NEUTRALITY = "neutrality", "Neutrality"
    GOVERNANCE = "governance", "Governance"
    LANGUAGE = "language", "Language"
    SANCTIONS = "sanctions", "Sanctions"
    EXCHANGE = "exchange", "Exchange"
    HUMANITARIAN = "humanitarian", "Humanitarian"
    MONITORING = "monitoring", "Monitoring"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other"


class Stage(models.TextChoices):
    PRECONDITION = "precondition", "Precondition"
    CEASEFIRE = "ceasefire", "Ceasefire"
    SETTLEMENT = "settlement", "Settlement"
    IMPLEMENTATION = "implementation", "Implementation"
