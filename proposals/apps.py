from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "Proposals"

    def ready(self) -> None:
        from negotiations.core.signals import statuses_affected
        from proposals.staleness import mark_affected_stale

        statuses_affected.connect(mark_affected_stale, dispatch_uid="proposals.mark_affected_stale")
