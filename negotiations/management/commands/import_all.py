from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from negotiations.ops.backup import import_all


class Command(BaseCommand):
    help = "Restore an export_all file into an empty (freshly migrated) database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a file written by export_all")

    def handle(self, *args, **options):
        rows = import_all(options["path"])
        self.stdout.write(self.style.SUCCESS(f"Imported {rows} rows from {options['path']}."))
