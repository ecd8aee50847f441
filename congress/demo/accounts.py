"""One demo account per role, with a scope region that makes sense for it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from congress.models import Organization
from congress.models import Region
from congress.models import User
from congress.roles import ADMIN_ROLES
from congress.roles import Role
from deputies.models import Deputy
from deputies.models import LiaisonStation

DEMO_PASSWORD = "demo-2026-renda"
LONGHUI = "430524"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    last_name: str
    first_name: str
    scope_code: str | None  # short region code, None = whole system


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.SYSTEM_ADMIN, "系统", "管理员", None),
    DemoAccount("longhui_staff", Role.STAFF, "隆回县人大", "代表工委", LONGHUI),
    DemoAccount("city_staff", Role.STAFF, "邵阳市人大", "常委会办公室", "430500"),
    DemoAccount("longhui_leader", Role.LEADERSHIP, "隆回县人大", "常委会主任", LONGHUI),
    DemoAccount("deputy", Role.DEPUTY, "", "", LONGHUI),
    DemoAccount("unit_liaison", Role.UNIT_LIAISON, "隆回县教育局", "联络员", LONGHUI),
    DemoAccount("station_manager", Role.STATION_MANAGER, "桃洪镇", "站长", "430524100"),
    DemoAccount("expert", Role.EXPERT, "隆回县", "法律专家", LONGHUI),
)


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[DemoAccount, User, bool]]:
    """Create the demo accounts that do not exist yet; leave existing ones alone.

    Return (account, user, created) for each role."""
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    result = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        created = user is None
        if created:
            scope = (
                Region.objects.get(code=Region.full_code(account.scope_code))
                if account.scope_code
                else None
            )
            user = User(
                username=account.username,
                last_name=account.last_name,
                first_name=account.first_name,
                password=password,
                scope_region=scope,
                is_staff=account.role in ADMIN_ROLES,
                is_superuser=account.role == Role.SYSTEM_ADMIN,
            )
            _link(account, user)
            user.save()
            group, _ = Group.objects.get_or_create(name=account.role.value)
            user.groups.add(group)
            _link_after(account, user)
        result.append((account, user, created))
    return result


def _link(account: DemoAccount, user: User) -> None:
    if account.role == Role.UNIT_LIAISON:
        user.organization = Organization.objects.get(code=f"{LONGHUI}-U003")
    if account.role == Role.DEPUTY:
        deputy = _demo_deputy()
        user.last_name, user.first_name = deputy.name[:1], deputy.name[1:]
        user.scope_region = deputy.region


def _link_after(account: DemoAccount, user: User) -> None:
    if account.role == Role.DEPUTY:
        Deputy.objects.filter(pk=_demo_deputy().pk, user__isnull=True).update(user=user)
    if account.role == Role.STATION_MANAGER:
        LiaisonStation.objects.filter(
            region__code__startswith=account.scope_code, manager__isnull=True
        ).update(manager=user)


def _demo_deputy() -> Deputy:
    """The first county deputy of 隆回县 who also holds a township mandate."""
    return (
        Deputy.objects.filter(region__code__startswith=LONGHUI)
        .filter(mandates__level="township")
        .filter(mandates__level="county")
        .order_by("phone_digest")
        .first()
    )
