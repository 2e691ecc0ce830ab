from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from proposals.models import Proposal
from proposals.refresh import refresh_proposals


class Command(BaseCommand):
    help = (
        "Recompute proposal statuses here and now (no worker needed): the stale ones by "
        "default, every one with --all, or those of one negotiation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--all", action="store_true", help="every proposal, stale or not")
        scope.add_argument("--negotiation", type=int, metavar="ID", help="one negotiation's")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        proposals = Proposal.objects.all()
        if options["negotiation"] is not None:
            proposals = proposals.filter(negotiation_id=options["negotiation"])
            if not proposals.exists():
                raise CommandError(
                    f"No proposals in a negotiation with id {options['negotiation']}."
                )
        elif not options["all"]:
            proposals = proposals.filter(status_stale=True)
        ids = list(proposals.order_by("negotiation_id", "pk").values_list("pk", flat=True))
        bar = tqdm(
            total=len(ids),
            unit="proposal",
            ncols=80,
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        # The summaries are rewritten with each negotiation, from the same engine run.
        results = refresh_proposals(proposal_ids=ids, progress=bar.update, summaries=True)
        bar.close()
        changed = sum(r.changed for r in results)
        negotiations = {r.negotiation_id for r in results if r.negotiation_id is not None}
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {len(ids)} proposals in {len(negotiations)} negotiations: "
                f"{changed} changed status."
            )
        )
