from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from proposals.audit import Verification, statuses_repair, statuses_verify
from proposals.models import Proposal


class Command(BaseCommand):
    help = (
        "Compare stored statuses, reasons, dates, bases, deliveries, timelines and "
        "summaries with a fresh engine run and print each difference; exits 1 while any "
        "remains. --fix recomputes the divergent proposals and checks again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--negotiation", type=int, metavar="ID", help="one negotiation's")
        parser.add_argument(
            "--fix", action="store_true", help="recompute what diverges, then check again"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        negotiation_id = options["negotiation"]
        scope = Proposal.objects.all()
        if negotiation_id is not None:
            scope = scope.filter(negotiation_id=negotiation_id)
            if not scope.exists():
                raise CommandError(f"No proposals in a negotiation with id {negotiation_id}.")
        found = self._verify(negotiation_id, scope.count(), options["no_progress"])
        self._report(found)
        if found.divergences and options["fix"]:
            recomputed = statuses_repair(found.divergences)
            self.stdout.write(
                f"Recomputed {recomputed} proposals and the summaries of "
                f"{len(found.divergences)} negotiations; checking again."
            )
            found = self._verify(negotiation_id, scope.count(), options["no_progress"])
            self._report(found)
        if found.divergences:
            raise CommandError(
                f"{found.differences} stored values differ from a fresh engine run"
                + ("." if options["fix"] else "; --fix recomputes them.")
            )

    def _verify(self, negotiation_id: int | None, total: int, quiet: bool) -> Verification:
        bar = tqdm(
            total=total,
            unit="proposal",
            ncols=80,
            disable=quiet,
            file=cast(TextIO, self.stderr._out),
        )
        found = statuses_verify(negotiation_id=negotiation_id, progress=bar.update)
        bar.close()
        return found

    def _report(self, found: Verification) -> None:
        for negotiation_id, divergences in sorted(found.divergences.items()):
            for divergence in divergences:
                self.stdout.write(f"negotiation {negotiation_id}: {divergence}")
        summary = (
            f"Checked {found.checked} proposals: {len(found.divergent_proposals())} divergent "
            f"proposals, {len(found.divergent_summaries())} divergent summaries, "
            f"{found.differences} differences"
        )
        if found.stale:
            summary += f"; {found.stale} stale proposals skipped (a recompute is pending)"
        style = self.style.ERROR if found.divergences else self.style.SUCCESS
        self.stdout.write(style(summary + "."))
