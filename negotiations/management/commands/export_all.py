from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from negotiations.ops.backup import export_all


class Command(BaseCommand):
    help = "Write every table users own (and the audit history) as JSON Lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="where to write, e.g. parley.jsonl")

    def handle(self, *args, **options):
        rows = export_all(options["path"])
        self.stdout.write(self.style.SUCCESS(f"Exported {rows} rows to {options['path']}."))
