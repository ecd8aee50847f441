"""Demo and scale data of citizens' opinions (registered in ``DeputiesConfig.ready``).

- ``opinions_demo_build``: a few sensitive words, and opinions in every state for
  the first stations of each demo county (codes ``DEMOX00001``…), idempotent.
- ``opinions_scale_build``: ``--opinions`` rows (default 500,000) over five years
  for the stations of 邵阳市, in set-based SQL (one ``INSERT … SELECT`` per batch
  of 100,000). Idempotent: rows carry codes ``SC0000000001``…, and a second run
  adds only the missing ones. Encrypting 50,000 phones would take minutes, so a
  pool of 50 numbers is encrypted once and its ciphertexts reused; nine opinions
  in ten leave no phone, as in life.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connection
from django.db import transaction
from django.utils import timezone

from congress import crypto
from congress.models import Organization
from deputies.models import CitizenOpinion
from deputies.models import LiaisonStation
from deputies.models import OpinionCategory
from deputies.models import Satisfaction
from deputies.models import SensitiveWord
from deputies.models import StationAssignment

CITY_PREFIX = "4305"
DEMO_COUNTY_CODES = ("430524", "430525", "430581", "430503")
DEMO_STATIONS_PER_COUNTY = 6
DEMO_SENSITIVE_WORDS = (
    ("法轮功", "邪教组织"),
    ("代办证件", "违法广告"),
    ("赌博网站", "违法广告"),
)
SCALE_BATCH = 100_000
PHONE_POOL = 50

CONTENTS = (
    "村口到镇上的道路坑洼严重,雨天积水,学生上学不方便,希望尽快修缮。",
    "小区附近的农贸市场早上占道经营,车辆无法通行,请相关部门加强管理。",
    "村里自来水管网老化,经常停水,希望纳入今年的民生实事项目。",
    "镇卫生院周末没有儿科医生,孩子看病要跑到县城,建议增加值班。",
    "河道里有人倾倒建筑垃圾,影响环境,请代表督促整改。",
    "希望增加农村客运班次,老人进城看病办事太难了。",
    "学校门口上下学时段交通拥堵,建议设置临时停车点和交通协管员。",
    "高标准农田建设后排水沟堵塞,影响春耕,请帮忙协调。",
    "城区路灯有一段长期不亮,夜间出行有安全隐患。",
    "建议在社区增设老年人日间照料中心。",
)
REPLIES = (
    "您反映的问题已收悉,经与镇政府沟通,已列入本月维修计划,感谢您的监督。",
    "已联系相关部门现场查看,正在协调解决,进展情况将在进站日向您反馈。",
    "该问题已转为代表建议,提交县人大常委会交办。",
)


def _stations(county_code: str) -> list[LiaisonStation]:
    return list(
        LiaisonStation.objects.filter(
            region__code__startswith=county_code, is_active=True
        ).order_by("region__code", "pk")[:DEMO_STATIONS_PER_COUNTY]
    )


def _first_deputy_ids(station_ids: list[int]) -> dict[int, int]:
    first: dict[int, int] = {}
    for station_id, deputy_id in (
        StationAssignment.objects.filter(station_id__in=station_ids)
        .order_by("station_id", "-is_leader", "pk")
        .values_list("station_id", "deputy_id")
    ):
        first.setdefault(station_id, deputy_id)
    return first


# (status, with a reply, rating) cycled over the demo opinions.
DEMO_STATES = (
    (CitizenOpinion.Status.RECEIVED, False, ""),
    (CitizenOpinion.Status.ASSIGNED, False, ""),
    (CitizenOpinion.Status.REPLIED, True, ""),
    (CitizenOpinion.Status.REPLIED, True, Satisfaction.SATISFIED),
    (CitizenOpinion.Status.CLOSED, True, Satisfaction.BASICALLY_SATISFIED),
    (CitizenOpinion.Status.REFERRED, False, ""),
    (CitizenOpinion.Status.RAISED, False, ""),
    (CitizenOpinion.Status.IN_REVIEW, False, ""),
    (CitizenOpinion.Status.REJECTED, False, ""),
)


@transaction.atomic
def opinions_demo_build(*, log: Callable[[str], None]) -> None:
    """Sensitive words and opinions in every state for the demo stations."""
    for word, note in DEMO_SENSITIVE_WORDS:
        SensitiveWord.objects.get_or_create(
            word=word, region=None, defaults={"note": note}
        )
    existing = set(
        CitizenOpinion.objects.filter(tracking_code__startswith="DEMOX").values_list(
            "tracking_code", flat=True
        )
    )
    now = timezone.now()
    rows: list[CitizenOpinion] = []
    number = 0
    for county_code in DEMO_COUNTY_CODES:
        stations = _stations(county_code)
        deputies = _first_deputy_ids([s.pk for s in stations])
        unit = (
            Organization.objects.filter(region__code__startswith=county_code)
            .order_by("pk")
            .first()
        )
        for station in stations:
            for state_index, (status, replied, rating) in enumerate(DEMO_STATES):
                number += 1
                code = f"DEMOX{number:05d}"
                if code in existing:
                    continue
                created = now - datetime.timedelta(
                    days=2 + 3 * state_index, hours=number
                )
                in_review = status == CitizenOpinion.Status.IN_REVIEW
                rejected = status == CitizenOpinion.Status.REJECTED
                with_phone = number % 3 == 0
                rows.append(
                    CitizenOpinion(
                        tracking_code=code,
                        station=station,
                        deputy_id=deputies.get(station.pk)
                        if status != CitizenOpinion.Status.RECEIVED
                        else None,
                        region_id=station.region_id,
                        name="王女士" if number % 2 else "",
                        phone=f"1397390{number:04d}" if with_phone else "",
                        phone_consent=with_phone,
                        content=(
                            "有人在村里张贴代办证件的小广告,电话打过去要收费。"
                            if in_review or rejected
                            else CONTENTS[number % len(CONTENTS)]
                        ),
                        category=OpinionCategory.values[number % 10],
                        status=status,
                        sensitive_hits=["代办证件"] if in_review or rejected else [],
                        review_note="含违法广告内容,不予受理。" if rejected else "",
                        received_at=None if in_review or rejected else created,
                        reply=REPLIES[number % 2] if replied else "",
                        replied_at=created + datetime.timedelta(days=2)
                        if replied
                        else None,
                        referred_to=unit
                        if status == CitizenOpinion.Status.REFERRED
                        else None,
                        satisfaction=rating,
                        rated_at=created + datetime.timedelta(days=3)
                        if rating
                        else None,
                    )
                )
    # save() fills the phone digest; a few dozen rows, so one by one is fine.
    for row in rows:
        row.save()
    if rows:
        # auto_now_add ignores the values given: age the rows as intended.
        for row in rows:
            CitizenOpinion.objects.filter(pk=row.pk).update(
                created_at=row.received_at or row.replied_at or now
            )
    log(f"opinions: {len(rows)} demo opinions")


SCALE_SQL = """
WITH st AS (
    SELECT s.id, s.region_id,
           row_number() OVER (ORDER BY s.id) - 1 AS rn,
           (SELECT a.deputy_id FROM deputies_stationassignment a
             WHERE a.station_id = s.id ORDER BY a.is_leader DESC, a.id LIMIT 1)
             AS deputy_id
      FROM deputies_liaisonstation s
      JOIN congress_region r ON r.id = s.region_id
     WHERE r.code LIKE %(prefix)s AND s.is_active
), total AS (SELECT count(*) AS n FROM st),
g AS (
    SELECT i,
           -- spread over five years; the newest fortnight is still open
           (i * 7919) %% 1826 AS age_days
      FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
)
INSERT INTO deputies_citizenopinion (
    tracking_code, channel, station_id, deputy_id, region_id, name, phone,
    phone_digest, phone_consent, content, category, status, sensitive_hits,
    review_note, received_at, reply, replied_at, satisfaction,
    satisfaction_comment, rated_at, created_at, updated_at
)
SELECT
    'SC' || lpad(g.i::text, 10, '0'),
    (%(channels)s::text[])[1 + g.i %% 4],
    st.id,
    CASE WHEN g.i %% 3 = 0 THEN NULL ELSE st.deputy_id END,
    st.region_id,
    '',
    CASE WHEN g.i %% 10 = 0 THEN (%(phones)s::text[])[1 + g.i %% %(pool)s] ELSE '' END,
    CASE WHEN g.i %% 10 = 0 THEN (%(digests)s::text[])[1 + g.i %% %(pool)s] ELSE '' END,
    g.i %% 10 = 0,
    (%(contents)s::text[])[1 + g.i %% %(ncontents)s],
    (%(categories)s::text[])[1 + g.i %% %(ncategories)s],
    x.status,
    '[]'::jsonb,
    '',
    x.created,
    CASE WHEN x.replied THEN (%(replies)s::text[])[1 + g.i %% 2] ELSE '' END,
    CASE WHEN x.replied THEN x.created + interval '3 days' END,
    CASE WHEN x.replied AND g.i %% 2 = 0
         THEN (%(ratings)s::text[])[1 + g.i %% 3] ELSE '' END,
    '',
    CASE WHEN x.replied AND g.i %% 2 = 0 THEN x.created + interval '5 days' END,
    x.created,
    x.created
FROM g
CROSS JOIN total
JOIN st ON st.rn = g.i %% total.n
CROSS JOIN LATERAL (
    SELECT
        now() - g.age_days * interval '1 day' - (g.i %% 86400) * interval '1 second'
            AS created,
        CASE
            WHEN g.age_days < 14 THEN
                (ARRAY['received', 'assigned', 'replied'])[1 + g.i %% 3]
            WHEN g.i %% 20 = 0 THEN 'referred'
            WHEN g.i %% 20 = 1 THEN 'raised'
            WHEN g.i %% 20 < 8 THEN 'replied'
            ELSE 'closed'
        END AS status,
        NOT (
            g.age_days < 14 AND g.i %% 3 <> 2
            OR g.age_days >= 14 AND g.i %% 20 IN (0, 1)
        ) AS replied
) AS x
ON CONFLICT (tracking_code) DO NOTHING
"""


def opinions_scale_build(*, options: dict, log: Callable[[str], None]) -> None:
    """Fill the city with ``options["opinions"]`` opinions (set-based, idempotent)."""
    target = int(options.get("opinions") or 0)
    if target <= 0:
        return
    if not LiaisonStation.objects.filter(
        region__code__startswith=CITY_PREFIX, is_active=True
    ).exists():
        log("opinions: no stations in the city yet; skipped")
        return
    have = CitizenOpinion.objects.filter(tracking_code__startswith="SC").count()
    if have >= target:
        log(f"opinions: {have} scale opinions already there")
        return
    phones = [f"1357390{n:04d}" for n in range(PHONE_POOL)]
    params = {
        "prefix": f"{CITY_PREFIX}%",
        "channels": [c for c, _label in CitizenOpinion.Channel.choices],
        "phones": [crypto.encrypt(p) for p in phones],
        "digests": [crypto.digest(p) for p in phones],
        "pool": PHONE_POOL,
        "contents": list(CONTENTS),
        "ncontents": len(CONTENTS),
        "categories": list(OpinionCategory.values),
        "ncategories": len(OpinionCategory.values),
        "replies": list(REPLIES[:2]),
        "ratings": list(Satisfaction.values),
    }
    first = have + 1
    while first <= target:
        last = min(first + SCALE_BATCH - 1, target)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SCALE_SQL, {**params, "first": first, "last": last})
        log(f"opinions: {last}/{target}")
        first = last + 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE deputies_citizenopinion")
