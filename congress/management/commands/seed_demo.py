"""``manage.py seed_demo``: the city of the seed, at the seed's sizes, and one demo
account per role. Running it twice changes nothing."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.demo.accounts import DEMO_PASSWORD
from congress.demo.accounts import demo_accounts_ensure
from congress.demo.builders import build_all
from congress.demo.plans import demo_plans
from congress.extensions import demo_builders


class Command(BaseCommand):
    help = (
        "载入演示数据:邵阳市及隆回县、洞口县、武冈市、大祥区,并为每个角色创建演示账号。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="在 DEBUG 关闭时也创建使用公开密码的演示账号(仅限测试环境)。",
        )
        parser.add_argument(
            "--no-accounts", action="store_true", help="只载入数据,不创建演示账号。"
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        verbose = options["verbosity"] > 1
        with transaction.atomic():
            build_all(
                plans=demo_plans(), log=self.stdout.write if verbose else lambda m: None
            )
        self._seed_calendar()
        accounts = self._accounts_ensure(options)
        # The apps' builders run after the accounts, so the demo deputy, the unit
        # liaison and the expert have their records on the first run.
        for builder in demo_builders():
            with transaction.atomic():
                builder.build(log=self.stdout.write if verbose else lambda m: None)
        self.stdout.write(
            _("演示数据已就绪(用时 %(s).1f 秒)。") % {"s": time.monotonic() - started}
        )
        if accounts is not None:
            self._print_accounts(accounts)

    def _accounts_ensure(self, options):
        if options["no_accounts"]:
            return None
        if not settings.DEBUG and not options["allow_demo_accounts"]:
            self.stderr.write(
                _(
                    "DEBUG 已关闭:不创建使用公开密码的演示账号。"
                    "如确需创建,请加 --allow-demo-accounts。"
                )
            )
            return None
        return demo_accounts_ensure()

    def _seed_calendar(self) -> None:
        """Load the statutory holidays, then this month's and next month's duty
        rosters of the stations (collection points keep no duty days)."""
        from congress.calendar import calendar_seed
        from deputies.models import LiaisonStation
        from deputies.services import duty_roster_generate

        calendar_seed()
        today = timezone.localdate()
        months = [(today.year, today.month)]
        months.append((today.year + today.month // 12, today.month % 12 + 1))
        stations = LiaisonStation.objects.filter(is_active=True).exclude(
            kind=LiaisonStation.Kind.COLLECTION_POINT
        )
        for station in stations.order_by("pk"):
            for year, month in months:
                duty_roster_generate(
                    station=station, year=year, month=month, actor=None
                )

    def _print_accounts(self, accounts) -> None:
        header = (_("用户名"), _("密码"), _("角色"), _("管辖区划"))
        rows = [
            (
                user.username,
                DEMO_PASSWORD if created else _("(已存在,未修改)"),
                str(account.role.label),
                str(user.scope_region or _("全部")),
            )
            for account, user, created in accounts
        ]
        self.stdout.write("")
        self.stdout.write(_("演示账号:"))
        for row in [header, *rows]:
            self.stdout.write("  " + "  ".join(f"{c:<18}" for c in row).rstrip())
