from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from proposals.synthetic import generate


class Command(BaseCommand):
    help = (
        "Generate synthetic negotiations (principals, mediators, rounds, proposals of every "
        "kind, terms with option groups, conditional positions, exchanges with ledgers). "
        "Deterministic for a seed. Statuses are left stale: run recompute_status --all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--positions", type=int, required=True, help="how many positions")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["positions"] < 1:
            raise CommandError("--positions must be at least 1.")
        bar = tqdm(
            total=options["positions"],
            unit="position",
            unit_scale=True,
            ncols=80,
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        counts = generate(positions=options["positions"], seed=options["seed"], progress=bar.update)
        bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {counts.negotiations} negotiations, {counts.rounds} rounds, "
                f"{counts.proposals} proposals, {counts.terms} terms, {counts.positions} "
                f"positions ({counts.conditions} conditions), {counts.events} ledger entries, "
                f"{counts.links} links in {counts.seconds:.1f}s."
            )
        )
