"""``manage.py generate_scale_data``: the city-scale data set (all twelve counties of
邵阳市, 30,000 deputies, 720 stations by default), built with bulk inserts.

Later issues extend it: add a builder (a function taking the plans and regions) and
call it from ``build_scale``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.db import transaction
from django.utils.translation import gettext as _

from congress.demo import regions as R
from congress.demo.builders import build_all
from congress.demo.plans import scale_plans
from congress.extensions import scale_builders
from congress.extensions import scale_resets
from congress.models import Organization
from congress.models import Region
from congress.models import Session
from congress.models import Term
from congress.models import User
from deputies.models import Constituency
from deputies.models import Delegation
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment


def _raw_delete(qs) -> None:
    # Generated rows go without per-row signals (no history rows for a wipe, and
    # fast for 30,000 deputies); children are removed first, so no cascade is needed.
    qs._raw_delete(qs.db)


@transaction.atomic
def scale_reset() -> None:
    """Remove every row of 邵阳市 the generators create, with its history, and the
    users scoped to it (superusers keep their account; their scope and unit are
    cleared)."""
    prefix = R.CITY_CODE[:4]
    for reset in scale_resets():
        reset.build(prefix=prefix)
    in_city = {"region__code__startswith": prefix}
    deputy_rows = Deputy.objects.filter(**in_city)
    for qs in (
        Mandate.history.filter(deputy__in=deputy_rows),
        Deputy.history.filter(**in_city),
        LiaisonStation.history.filter(**in_city),
        StationAssignment.objects.filter(station__region__code__startswith=prefix),
        StationAssignment.objects.filter(deputy__in=deputy_rows),
        Mandate.objects.filter(term__region__code__startswith=prefix),
        Mandate.objects.filter(deputy__in=deputy_rows),
    ):
        _raw_delete(qs)
    users = User.objects.filter(scope_region__code__startswith=prefix) | (
        User.objects.filter(organization__region__code__startswith=prefix)
    )
    user_ids = list(users.values_list("pk", flat=True))
    LiaisonStation.objects.filter(manager__in=user_ids).update(manager=None)
    Deputy.objects.filter(user__in=user_ids).update(user=None)
    User.objects.filter(pk__in=user_ids, is_superuser=True).update(
        scope_region=None, organization=None
    )
    User.objects.filter(pk__in=user_ids, is_superuser=False).delete()
    for qs in (
        LiaisonStation.objects.filter(**in_city),
        deputy_rows,
        Delegation.objects.filter(term__region__code__startswith=prefix),
        Constituency.objects.filter(term__region__code__startswith=prefix),
        Session.objects.filter(term__region__code__startswith=prefix),
        Term.objects.filter(**in_city),
        Organization.objects.filter(**in_city),
    ):
        _raw_delete(qs)
    for level in sorted(Region.Level.values, reverse=True):
        _raw_delete(Region.objects.filter(code__startswith=prefix, level=level))


def build_scale(*, deputies: int, stations: int, villages: int, log) -> None:
    """Build (idempotently) the scale data set."""
    with transaction.atomic():
        build_all(
            plans=scale_plans(
                deputies=deputies, stations=stations, villages_per_township=villages
            ),
            log=log,
        )


class Command(BaseCommand):
    help = "生成市级规模的测试数据(12个县市区、3万名代表、720个联络站),用于性能基准。"

    def add_arguments(self, parser):
        parser.add_argument("--deputies", type=int, default=30_000, help="代表人数")
        parser.add_argument("--stations", type=int, default=720, help="联络站数量")
        parser.add_argument(
            "--villages", type=int, default=10, help="每个乡镇的村(社区)数量"
        )
        parser.add_argument(
            "--visits", type=int, default=5_000_000, help="进站履职记录数(五年)"
        )
        parser.add_argument("--opinions", type=int, default=500_000, help="群众意见数")
        parser.add_argument(
            "--suggestions", type=int, default=100_000, help="代表建议数(五年)"
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            help="只运行指定名称的扩展数据生成器(可重复),不重建代表和联络站",
        )
        parser.add_argument(
            "--reset", action="store_true", help="先删除邵阳市范围内已有的数据"
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["reset"]:
            scale_reset()
            self.stdout.write(_("已清除原有数据。"))
        if not options["only"]:
            build_scale(
                deputies=options["deputies"],
                stations=options["stations"],
                villages=options["villages"],
                log=self.stdout.write if options["verbosity"] > 1 else lambda m: None,
            )
        for builder in scale_builders():
            if options["only"] and builder.name not in options["only"]:
                continue
            builder.build(
                options=options,
                log=self.stdout.write if options["verbosity"] > 1 else lambda m: None,
            )
        # Fresh statistics, so the planner (and the admin's estimated counts) see
        # the new sizes at once rather than after autovacuum gets round to it.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            _("规模数据已生成:%(d)s 名代表、%(s)s 个联络站,用时 %(t).1f 秒。")
            % {
                "d": Deputy.objects.count(),
                "s": LiaisonStation.objects.count(),
                "t": time.monotonic() - started,
            }
        )
