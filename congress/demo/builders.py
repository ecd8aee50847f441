"""Idempotent bulk builders for the demo and the scale data set.

Every builder computes the rows it wants, looks up which natural keys already exist
and bulk-inserts only the missing ones, so running a command twice changes nothing
and a large run stays fast (one INSERT per batch, no per-row ``save()``). Later issues
add their own builders here (or in their app) and call them from the commands.

``bulk_create`` skips ``save()``: anything ``save()`` computes (``phone_digest``) is
set here, and no history rows are written for generated data.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from django.db import models
from faker import Faker

from congress import crypto
from congress.demo import regions as R
from congress.demo.units import COUNTY_UNITS
from congress.models import Organization
from congress.models import Region
from congress.models import Session
from congress.models import Term
from deputies.models import Constituency
from deputies.models import Delegation
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment

BATCH = 1000
SEED = 2026


def ensure(
    model: type[models.Model],
    objs: Iterable[models.Model],
    key: Sequence[str],
    existing: models.QuerySet | None = None,
) -> int:
    """Insert the objects whose natural key (attribute names) is not stored yet.

    Return how many rows were inserted."""
    objs = list(objs)
    if not objs:
        return 0
    qs = existing if existing is not None else model._default_manager.all()
    present = set(qs.values_list(*key))
    missing, seen = [], set()
    for obj in objs:
        k = tuple(getattr(obj, a) for a in key)
        if k not in present and k not in seen:
            seen.add(k)
            missing.append(obj)
    model._default_manager.bulk_create(missing, batch_size=BATCH)
    return len(missing)


# --- regions -----------------------------------------------------------------


@dataclass
class CountyPlan:
    """What to build in one county."""

    county: R.County
    villages_per_township: int = 4
    villages_by_township: dict[str, int] = field(default_factory=dict)
    deputies: int = 0
    stations: list[tuple[str, str, str]] = field(default_factory=list)
    # (name, kind, region code) — filled by the station planners below.

    @property
    def townships(self) -> list[tuple[str, str]]:
        """(9-digit code, name) of each township-level division."""
        names = R.township_names(self.county)
        return [(R.township_code(self.county, i, n), n) for i, n in enumerate(names)]


def region_build(*, plans: Sequence[CountyPlan]) -> dict[str, Region]:
    """Create 邵阳市, all twelve counties, and the townships and villages of the
    planned counties. Return every region of the city by 12-digit code."""
    full = Region.full_code
    L = Region.Level
    ensure(
        Region,
        [Region(name=R.NATION_NAME, code=full(R.NATION_CODE), level=L.NATION)],
        ["code"],
    )
    nation = Region.objects.get(code=full(R.NATION_CODE))
    ensure(
        Region,
        [
            Region(
                name=R.PROVINCE_NAME,
                code=full(R.PROVINCE_CODE),
                level=L.PROVINCE,
                parent=nation,
            )
        ],
        ["code"],
    )
    province = Region.objects.get(code=full(R.PROVINCE_CODE))
    ensure(
        Region,
        [
            Region(
                name=R.CITY_NAME, code=full(R.CITY_CODE), level=L.CITY, parent=province
            )
        ],
        ["code"],
    )
    city = Region.objects.get(code=full(R.CITY_CODE))
    ensure(
        Region,
        [
            Region(name=c.name, code=full(c.code), level=L.COUNTY, parent=city)
            for c in R.COUNTIES
        ],
        ["code"],
    )
    by_code = {r.code: r for r in Region.objects.filter(level=L.COUNTY)}
    townships = []
    for plan in plans:
        county = by_code[full(plan.county.code)]
        townships += [
            Region(name=name, code=full(code), level=L.TOWNSHIP, parent=county)
            for code, name in plan.townships
        ]
    ensure(Region, townships, ["code"])
    by_code.update(
        (r.code, r)
        for r in Region.objects.filter(level=L.TOWNSHIP, code__startswith="4305")
    )
    villages = []
    for plan in plans:
        for code, name in plan.townships:
            count = plan.villages_by_township.get(name, plan.villages_per_township)
            parent = by_code[full(code)]
            villages += [
                Region(
                    name=vname,
                    code=f"{code}{201 + j:03d}",
                    level=L.VILLAGE,
                    parent=parent,
                )
                for j, vname in enumerate(R.village_names(code, count))
            ]
    ensure(Region, villages, ["code"])
    by_code.update(
        (r.code, r) for r in Region.objects.filter(code__startswith=R.CITY_CODE[:4])
    )
    by_code[nation.code], by_code[province.code] = nation, province
    return by_code


# --- units ---------------------------------------------------------------------


def organization_build(*, plan: CountyPlan, regions: dict[str, Region]) -> int:
    """County units (40) and, per township, its government and congress presidium."""
    county = regions[Region.full_code(plan.county.code)]
    short = plan.county.name
    rows = [
        Organization(
            name=f"{short}{name}",
            short_name=name[:40],
            code=f"{plan.county.code}-U{i + 1:03d}",
            kind=kind,
            region=county,
        )
        for i, (name, kind) in enumerate(COUNTY_UNITS)
    ]
    for code, name in plan.townships:
        township = regions[Region.full_code(code)]
        rows.append(
            Organization(
                name=f"{name}人民政府"
                if not name.endswith("街道")
                else f"{name}办事处",
                code=f"{code}-GOV",
                kind=Organization.Kind.TOWNSHIP_GOVERNMENT,
                region=township,
            )
        )
        if not name.endswith("街道"):
            rows.append(
                Organization(
                    name=f"{name}人大主席团",
                    code=f"{code}-PRE",
                    kind=Organization.Kind.TOWNSHIP_PRESIDIUM,
                    region=township,
                )
            )
    return ensure(Organization, rows, ["code"])


# --- terms and sessions ----------------------------------------------------------

D = datetime.date
# 第十四届全国人大 and 湖南省第十四届人大 elect the demo's national and provincial deputies.
NATIONAL_TERM = (14, D(2023, 3, 5), D(2028, 3, 4))
PROVINCIAL_TERM = (14, D(2023, 1, 13), D(2028, 1, 12))
CITY_TERM = (17, D(2022, 1, 10), D(2027, 1, 31))
COUNTY_TERM = (18, D(2021, 12, 20), D(2026, 12, 31))
TOWNSHIP_TERM = (18, D(2021, 11, 15), D(2026, 12, 31))
SESSIONS_UNTIL = D(2026, 11, 20)


def _has_congress(name: str) -> bool:
    # Sub-district offices (街道) have no people's congress of their own.
    return not name.endswith("街道")


def term_build(*, plans: Sequence[CountyPlan], regions: dict[str, Region]) -> dict:
    """The current term of the city, each planned county and each township that has
    a congress, with their sessions. Return terms by region code."""
    full = Region.full_code
    # The national and provincial terms carry no sessions here: only their mandates.
    upper = [
        (regions[full(R.NATION_CODE)], NATIONAL_TERM),
        (regions[full(R.PROVINCE_CODE)], PROVINCIAL_TERM),
    ]
    ensure(
        Term,
        [Term(region=r, number=n, start_date=s, end_date=e) for r, (n, s, e) in upper],
        ["region_id", "number"],
    )
    wanted = [(regions[full(R.CITY_CODE)], CITY_TERM, True)]
    for plan in plans:
        wanted.append((regions[full(plan.county.code)], COUNTY_TERM, True))
        wanted += [
            (regions[full(code)], TOWNSHIP_TERM, False)
            for code, name in plan.townships
            if _has_congress(name)
        ]
    ensure(
        Term,
        [
            Term(region=r, number=n, start_date=s, end_date=e)
            for r, (n, s, e), _ in wanted
        ],
        ["region_id", "number"],
    )
    terms = {
        t.region.code: t
        for t in Term.objects.filter(
            region__in=[r for r, _, _ in wanted] + [r for r, _ in upper]
        ).select_related("region")
    }
    sessions = []
    for region, (_, start, _), standing in wanted:
        term = terms[region.code]
        sessions.append(_session(term, Session.Kind.CONGRESS, 1, start, 3))
        for k in range(2, 6):
            sessions.append(
                _session(term, Session.Kind.CONGRESS, k, D(start.year + k, 1, 8), 3)
            )
        if not standing:
            continue
        day, n = D(start.year + 1, 2, 25), 1
        while day <= SESSIONS_UNTIL:
            sessions.append(_session(term, Session.Kind.STANDING_COMMITTEE, n, day, 2))
            n, day = n + 1, _add_months(day, 2)
        day, n = D(start.year + 1, 1, 18), 1
        while day <= SESSIONS_UNTIL:
            sessions.append(_session(term, Session.Kind.CHAIRPERSONS, n, day, 1))
            n, day = n + 1, _add_months(day, 1)
    ensure(Session, sessions, ["term_id", "kind", "number"])
    return terms


def _session(term: Term, kind: str, number: int, start: datetime.date, days: int):
    end = start + datetime.timedelta(days=days - 1)
    return Session(term=term, kind=kind, number=number, start_date=start, end_date=end)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


# --- deputies and mandates --------------------------------------------------------

_ETHNICITIES = ["汉族"] * 17 + ["苗族", "瑶族", "回族"]
_POLITICAL = [
    (Deputy.PoliticalStatus.CPC, 70),
    (Deputy.PoliticalStatus.MASSES, 15),
    (Deputy.PoliticalStatus.DEMOCRATIC_PARTY, 8),
    (Deputy.PoliticalStatus.NON_PARTY, 5),
    (Deputy.PoliticalStatus.CYL, 2),
]
_OCCUPATIONS = [
    (Deputy.OccupationCategory.OFFICIAL, 30),
    (Deputy.OccupationCategory.FARMER, 25),
    (Deputy.OccupationCategory.WORKER, 15),
    (Deputy.OccupationCategory.PROFESSIONAL, 15),
    (Deputy.OccupationCategory.BUSINESS, 10),
    (Deputy.OccupationCategory.OTHER, 5),
]


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def deputy_phone(county: R.County, index: int) -> str:
    """A reproducible, unique mobile number per (county, index): the natural key."""
    county_index = R.COUNTIES.index(county)
    return f"13{county_index:02d}{index:07d}"


def mandate_levels(index: int, total: int, township_name: str) -> list[str]:
    """The levels held by the deputy at ``index``: every county has a national and
    three provincial deputies, one city deputy in 25, and some 四级/五级 holders."""
    has_township = _has_congress(township_name)
    primary = (
        Level.COUNTY if index < int(total * 0.6) or not has_township else Level.TOWNSHIP
    )
    levels = [primary]
    if index == 0:
        levels.append(Level.NATIONAL)
    elif index in (1, 2, 3):
        levels.append(Level.PROVINCIAL)
    elif index % 25 == 5:
        levels.append(Level.CITY)
    if primary == Level.COUNTY and has_township and index % 7 == 3:
        levels.append(Level.TOWNSHIP)
    return levels


def deputy_build(
    *, plan: CountyPlan, regions: dict[str, Region], terms: dict[str, Term]
) -> int:
    """Deputies of a county with their mandates, delegations and constituencies.

    Return how many deputies were inserted."""
    if plan.deputies <= 0:
        return 0
    full = Region.full_code
    county = plan.county
    county_region = regions[full(county.code)]
    city_region = regions[full(R.CITY_CODE)]
    county_term, city_term = terms[county_region.code], terms[city_region.code]
    fake = Faker("zh_CN")
    fake.seed_instance(SEED + int(county.code))
    rng = random.Random(SEED * 1000003 + int(county.code))
    townships = plan.townships

    # Delegations (by township) and constituencies (three per township).
    ensure(
        Delegation,
        [
            Delegation(
                term=county_term, name=f"{name}代表团", region=regions[full(code)]
            )
            for code, name in townships
        ]
        + [
            Delegation(
                term=city_term, name=f"{county.name}代表团", region=county_region
            )
        ],
        ["term_id", "name"],
    )
    ensure(
        Constituency,
        [
            Constituency(
                term=county_term,
                number=t * 3 + k + 1,
                name=f"{name}第{k + 1}选区",
                region=regions[full(code)],
            )
            for t, (code, name) in enumerate(townships)
            for k in range(3)
        ],
        ["term_id", "number"],
    )
    delegations = {
        (d.term_id, d.name): d
        for d in Delegation.objects.filter(term__in=[county_term, city_term])
    }
    constituencies = {
        c.number: c for c in Constituency.objects.filter(term=county_term)
    }

    people, wanted_levels = [], []
    for i in range(plan.deputies):
        t = i % len(townships)
        code, tname = townships[t]
        female = rng.random() < 0.32
        phone = deputy_phone(county, i)
        people.append(
            Deputy(
                name=fake.name_female() if female else fake.name_male(),
                gender=Deputy.Gender.FEMALE if female else Deputy.Gender.MALE,
                ethnicity=rng.choice(_ETHNICITIES),
                birth_date=D(
                    1960 + rng.randrange(40),
                    1 + rng.randrange(12),
                    1 + rng.randrange(28),
                ),
                political_status=_pick(rng, _POLITICAL),
                occupation_category=_pick(rng, _OCCUPATIONS),
                workplace=fake.company(),
                title=rng.choice(
                    ["", "主任", "书记", "经理", "教师", "医生", "村委会主任"]
                ),
                phone=phone,
                phone_digest=crypto.digest(phone),
                region=regions[full(code)],
            )
        )
        wanted_levels.append(
            (phone, t, code, tname, mandate_levels(i, plan.deputies, tname))
        )
    digests = [p.phone_digest for p in people]
    created = ensure(
        Deputy,
        people,
        ["phone_digest"],
        existing=Deputy.objects.filter(phone_digest__in=digests),
    )
    ids = dict(
        Deputy.objects.filter(phone_digest__in=digests).values_list(
            "phone_digest", "id"
        )
    )

    mandates = []
    for (phone, t, code, tname, levels), person in zip(
        wanted_levels, people, strict=True
    ):
        deputy_id = ids[person.phone_digest]
        for level in levels:
            m = Mandate(
                deputy_id=deputy_id,
                level=level,
                status=Mandate.Status.ACTIVE,
            )
            if level == Level.COUNTY:
                m.congress_region, m.term = county_region, county_term
                m.delegation = delegations[(county_term.id, f"{tname}代表团")]
                m.constituency = constituencies[t * 3 + int(phone[-1]) % 3 + 1]
            elif level == Level.TOWNSHIP:
                m.congress_region = regions[full(code)]
                m.term = terms[m.congress_region.code]
            elif level == Level.CITY:
                m.congress_region, m.term = city_region, city_term
                m.delegation = delegations[(city_term.id, f"{county.name}代表团")]
            else:
                code = R.NATION_CODE if level == Level.NATIONAL else R.PROVINCE_CODE
                m.congress_region = regions[full(code)]
                m.term = terms[m.congress_region.code]
            m.start_date = m.term.start_date
            mandates.append(m)
    ensure(
        Mandate,
        mandates,
        ["deputy_id", "term_id"],
        existing=Mandate.objects.filter(deputy_id__in=ids.values()),
    )
    return created


# --- stations -----------------------------------------------------------------------

K = LiaisonStation.Kind


def stations_per_township(plan: CountyPlan, total: int, extra_home: bool = True):
    """``total`` 代表联络站 spread over the townships, plus a county 代表之家."""
    townships = plan.townships
    rows = []
    for s in range(total):
        code, name = townships[s % len(townships)]
        k = s // len(townships) + 1
        label = f"{name}人大代表联络站" if k == 1 else f"{name}第{k}人大代表联络站"
        rows.append((label, K.STATION, code))
    if extra_home:
        rows.append((f"{plan.county.name}人大代表之家", K.HOME, plan.county.code))
    return rows


def collection_points(plan: CountyPlan, total: int):
    """``total`` 民情民意收集点, one per village in code order."""
    rows = []
    for code, _ in plan.townships:
        count = plan.villages_by_township.get(
            dict(plan.townships)[code], plan.villages_per_township
        )
        for j, vname in enumerate(R.village_names(code, count)):
            if len(rows) < total:
                rows.append(
                    (
                        f"{vname}民情民意收集点",
                        K.COLLECTION_POINT,
                        f"{code}{201 + j:03d}",
                    )
                )
    if len(rows) < total:
        raise ValueError("not enough villages for the collection points")
    return rows


def station_build(*, plan: CountyPlan, regions: dict[str, Region]) -> int:
    """Stations of a county (duty days 6/16/26 by default) and the grouping of the
    county's deputies: each deputy joins a station of their township."""
    full = Region.full_code
    rows = [
        LiaisonStation(
            name=name,
            kind=kind,
            region=regions[full(code)],
            address=f"{regions[full(code)].name}{name[-5:]}",
        )
        for name, kind, code in plan.stations
    ]
    created = ensure(
        LiaisonStation,
        rows,
        ["region_id", "name"],
        existing=LiaisonStation.objects.filter(
            region__code__startswith=plan.county.code
        ),
    )
    groupable = list(
        LiaisonStation.objects.filter(
            region__code__startswith=plan.county.code,
            kind__in=[K.STATION, K.HOME, K.DEMOCRACY_BASE],
        ).order_by("region__code", "name")
    )
    if not groupable:
        return created
    by_township: dict[str, list[LiaisonStation]] = {}
    for station in groupable:
        by_township.setdefault(station.region_id, []).append(station)
    deputies = (
        Deputy.objects.filter(region__code__startswith=plan.county.code)
        .order_by("phone_digest")
        .values_list("id", "region_id")
    )
    assignments, leaders = [], set()
    for n, (deputy_id, region_id) in enumerate(deputies):
        choices = by_township.get(region_id) or groupable
        station = choices[n % len(choices)]
        assignments.append(
            StationAssignment(
                station=station,
                deputy_id=deputy_id,
                is_leader=station.pk not in leaders,
            )
        )
        leaders.add(station.pk)
    ensure(
        StationAssignment,
        assignments,
        ["station_id", "deputy_id"],
        existing=StationAssignment.objects.filter(station__in=groupable),
    )
    return created


def build_all(
    *, plans: Sequence[CountyPlan], log=lambda msg: None
) -> dict[str, Region]:
    """Run every builder for the plans, in dependency order."""
    regions = region_build(plans=plans)
    log(f"regions: {len(regions)}")
    for plan in plans:
        organization_build(plan=plan, regions=regions)
    terms = term_build(plans=plans, regions=regions)
    log("units, terms and sessions done")
    for plan in plans:
        deputy_build(plan=plan, regions=regions, terms=terms)
        station_build(plan=plan, regions=regions)
        log(f"{plan.county.name}: deputies and stations done")
    return regions
