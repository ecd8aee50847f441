"""``manage.py points_rebuild [--year 2026] [--region 430524]``: rebuild the ledger."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone

from congress.models import Region
from deputies.points import points_rebuild


class Command(BaseCommand):
    help = "Rebuild the points ledger (履职积分) of a year from the facts; idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument(
            "--region", default="", help="statistical code (430524); default: all"
        )

    def handle(self, *args, **options) -> None:
        year = options["year"] or timezone.localdate().year
        region = None
        if options["region"]:
            region = Region.objects.filter(
                code=Region.full_code(options["region"])
            ).first()
            if region is None:
                raise CommandError(f"unknown region {options['region']}")
        result = points_rebuild(year=year, region=region)
        self.stdout.write(
            f"points {year} {result.region or 'all'}: {result.entries} entries, "
            f"{result.deleted} deleted, {result.written} written, "
            f"{result.seconds:.2f} s"
        )
