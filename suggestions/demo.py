"""Demo and scale data of the suggestions work (registered in ``apps.py``).

- ``suggestions_demo_build``: in 隆回县 the demo deputy's suggestions in every
  state, walked through the real services (so the whole-chain page has real
  steps); in 洞口县, 武冈市 and 大祥区 a dozen registered-to-closed suggestions each,
  with 洞口's 三审五办 key suggestions (督办 committees, a 专题询问 note) and 武冈's
  选题指导 and 建议办理专项资金. Idempotent: skipped when the county has its demo rows.
- ``suggestions_scale_build``: ``options["suggestions"]`` suggestions over five
  years for the twelve counties, in set-based SQL with assignments, replies and
  evaluations; texts come from a small set whose jieba vectors are computed once.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import connection
from django.db import transaction
from django.utils import timezone

from congress.models import Organization
from congress.models import Region
from congress.models import User
from deputies.models import Deputy
from suggestions import services
from suggestions.events import suggestion_event_record
from suggestions.models import Assignment
from suggestions.models import Category
from suggestions.models import Evaluation
from suggestions.models import Reply
from suggestions.models import Suggestion
from suggestions.models import SuggestionEvent
from suggestions.search import search_document
from suggestions.search import search_reindex

CITY_PREFIX = "4305"
LONGHUI = "430524"
OTHER_DEMO_COUNTIES = ("430525", "430581", "430503")  # 洞口, 武冈, 大祥
SCALE_BATCH = 50_000

TEXTS: tuple[tuple[str, str, str], ...] = (
    (
        "关于加快农村道路硬化的建议",
        "我镇多个村组道路尚未硬化,雨天泥泞,群众出行和农产品运输困难,建议列入农村道路硬化计划。",
        Category.TRANSPORT,
    ),
    (
        "关于改善乡镇学校办学条件的建议",
        "部分乡镇学校校舍老旧、教师不足,建议加大投入,补充音体美教师。",
        Category.EDUCATION,
    ),
    (
        "关于加强乡镇卫生院儿科建设的建议",
        "乡镇卫生院缺少儿科医生,周末看病要到县城,建议通过医共体派驻医生。",
        Category.HEALTH,
    ),
    (
        "关于农村饮水安全提质增效的建议",
        "部分村自来水管网老化,经常停水,建议实施农村供水管网改造。",
        Category.AGRICULTURE,
    ),
    (
        "关于整治河道垃圾的建议",
        "河道沿岸有人倾倒建筑垃圾,影响生态环境,建议建立河长巡查和举报奖励制度。",
        Category.ENVIRONMENT,
    ),
    (
        "关于增开农村客运班线的建议",
        "偏远村组客运班次少,老人进城就医办事不便,建议增开班线或开通预约公交。",
        Category.TRANSPORT,
    ),
    (
        "关于城区停车难问题的建议",
        "城区停车位不足,占道停车严重,建议规划建设公共停车场并推行智慧停车。",
        Category.URBAN,
    ),
    (
        "关于建设社区老年人日间照料中心的建议",
        "社区老年人多,缺少日间照料场所,建议利用闲置用房建设日间照料中心。",
        Category.SOCIAL_SECURITY,
    ),
    (
        "关于支持特色产业发展的建议",
        "金银花、辣椒等特色产业缺少冷链和品牌,建议设立产业发展专项资金。",
        Category.ECONOMY,
    ),
    (
        "关于加强高标准农田后期管护的建议",
        "高标准农田建成后排水沟堵塞、机耕道损坏,建议明确管护主体和经费。",
        Category.AGRICULTURE,
    ),
)
REPLY_TEXT = (
    "经研究,我单位高度重视您提出的建议,已会同相关乡镇实地调研,"
    "制定了整改方案并落实资金,相关工作正在按计划推进。"
)


def _log_time(log, label: str, started: float) -> None:
    log(f"suggestions: {label} in {time.monotonic() - started:.1f}s")


# ---------------------------------------------------------------------------
# Demo.
# ---------------------------------------------------------------------------


def suggestions_demo_build(*, log: Callable[[str], None]) -> None:
    """Suggestions in every state for the demo counties (idempotent)."""
    started = time.monotonic()
    made = _longhui_demo(log)
    for code in OTHER_DEMO_COUNTIES:
        made += _county_demo(code)
    _log_time(log, f"{made} demo suggestions", started)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _longhui_demo(log) -> int:
    """The demo deputy's suggestions, one per state, through the services."""
    staff = _user("longhui_staff")
    liaison = _user("unit_liaison")
    deputy = Deputy.objects.filter(user__username="deputy").first()
    leader = _user("longhui_leader")
    if not (staff and liaison and deputy and liaison.organization_id):
        # seed_demo creates the demo accounts after the builders: the second run
        # (idempotent) walks the demo deputy's suggestions through the services.
        log("suggestions: demo accounts missing, 隆回县 waits for the next run")
        return 0
    if Suggestion.objects.filter(lead_deputy=deputy).exists():
        return 0
    unit = liaison.organization
    co_unit = (
        Organization.objects.filter(
            region=unit.region, kind=Organization.Kind.GOVERNMENT_DEPARTMENT
        )
        .exclude(pk=unit.pk)
        .order_by("code")
        .first()
    )
    committee = Organization.objects.filter(
        region=unit.region, name__endswith="代表工作委员会"
    ).first()
    cosigner = (
        Deputy.objects.filter(region__code__startswith=LONGHUI, user__isnull=True)
        .exclude(pk=deputy.pk)
        .order_by("pk")
        .first()
    )
    states = [
        "draft",
        "reviewing",
        "returned",
        "registered",
        "assigned",
        "handling",
        "replied",
        "rehandling",
        "closed",
        "closed",
    ]
    today = timezone.localdate()
    with transaction.atomic():
        for index, state in enumerate(states):
            title, content, category = TEXTS[index % len(TEXTS)]
            suggestion = services.suggestion_create(
                deputy=deputy,
                actor=deputy.user,
                title=title,
                content=content,
                category=category,
            )
            if index == 0 and cosigner is not None:
                services.signer_invite(
                    suggestion=suggestion, actor=deputy.user, deputy=cosigner
                )
                services.suggestion_guide(
                    suggestion=suggestion,
                    actor=staff,
                    note="建议补充受益群众人数和资金测算,聚焦一个问题。",
                )
            if state == "draft":
                continue
            services.suggestion_submit(suggestion=suggestion, actor=deputy.user)
            if state == "reviewing":
                continue
            if state == "returned":
                services.suggestion_review(
                    suggestion=suggestion,
                    actor=staff,
                    stage="delegation",
                    decision="return",
                    comment="请写明涉及的具体村组和路段。",
                )
                continue
            for stage in ("delegation", "secretariat", "deputy_affairs"):
                services.suggestion_review(
                    suggestion=suggestion, actor=staff, stage=stage, decision="pass"
                )
            if state == "registered":
                continue
            if index == 4 and leader is not None:
                services.suggestion_set_supervision(
                    suggestion=suggestion,
                    actor=staff,
                    is_key=True,
                    supervising_leader=leader,
                    coordinating_committee=committee,
                    fund_amount=Decimal("80"),
                )
            [assignment, *_co] = services.suggestion_assign(
                suggestion=suggestion,
                actor=staff,
                lead_unit=unit,
                co_units=[co_unit] if co_unit and index == 5 else [],
            )
            if state == "assigned":
                continue
            services.assignment_acknowledge(assignment=assignment, actor=liaison)
            services.handling_step_add(
                assignment=assignment,
                actor=liaison,
                kind="plan",
                date=today,
                note="成立专班,制定办理方案。",
            )
            if state == "handling":
                continue
            _demo_reply(assignment, liaison, "B" if index == 6 else "A", today)
            if state == "replied":
                continue
            services.evaluation_record(
                suggestion=suggestion,
                actor=deputy.user,
                deputy=deputy,
                result="unsatisfied" if index in (7, 8) else "satisfied",
                comment="问题尚未根本解决,请再次办理。" if index in (7, 8) else "",
            )
            if state == "rehandling" or index == 9:
                continue
            _demo_reply(assignment, liaison, "A", today)
            services.evaluation_record(
                suggestion=suggestion,
                actor=deputy.user,
                deputy=deputy,
                result="basically_satisfied",
            )
    return len(states)


def _demo_reply(assignment, liaison, result_class: str, today) -> None:
    services.handling_step_add(
        assignment=assignment,
        actor=liaison,
        kind="contact",
        date=today,
        note="到代表所在村召开座谈会,当面听取意见。",
    )
    services.reply_create(
        assignment=assignment,
        actor=liaison,
        text=REPLY_TEXT,
        result_class=result_class,
        signer="局长 刘建华",
        letter_number="隆教函〔2026〕12号",
        commitments=[
            ("年底前完成改造并向代表反馈", today + datetime.timedelta(days=90))
        ]
        if result_class == "B"
        else [],
    )


@transaction.atomic
def _county_demo(code: str) -> int:
    """A dozen suggestions per county, written directly (no demo accounts there)."""
    county = Region.objects.filter(code=Region.full_code(code)).first()
    if county is None or Suggestion.objects.filter(region=county).exists():
        return 0
    deputies = list(
        Deputy.objects.filter(region__code__startswith=code).order_by("pk")[:12]
    )
    units = list(
        Organization.objects.filter(
            region=county, kind=Organization.Kind.GOVERNMENT_DEPARTMENT
        ).order_by("code")[:6]
    )
    staff = _scale_actor()  # a user without password or role: who typed it in
    committees = {
        o.name[len(county.name) :]: o
        for o in Organization.objects.filter(
            region=county,
            kind__in=[
                Organization.Kind.SPECIAL_COMMITTEE,
                Organization.Kind.WORKING_COMMITTEE,
            ],
        )
    }
    if not deputies or not units or staff is None:
        return 0
    now = timezone.now()
    today = timezone.localdate()
    wugang = code == "430581"
    dongkou = code == "430525"
    statuses = [
        Suggestion.Status.REGISTERED,
        Suggestion.Status.ASSIGNED,
        Suggestion.Status.HANDLING,
        Suggestion.Status.REPLIED,
        Suggestion.Status.CLOSED,
        Suggestion.Status.CLOSED,
    ]
    made = 0
    for index, deputy in enumerate(deputies):
        title, content, category = TEXTS[index % len(TEXTS)]
        status = statuses[index % len(statuses)]
        suggestion = Suggestion(
            year=today.year,
            number=index + 1,
            title=title,
            content=content,
            category=category,
            lead_deputy=deputy,
            region=county,
            status=status,
            submitted_at=now,
            registered_at=now,
            closed_at=now if status == Suggestion.Status.CLOSED else None,
        )
        if dongkou and index < 3:
            # 三审五办一测评: key suggestions followed by a committee and the 代表工委.
            suggestion.is_key = True
            suggestion.following_committee = committees.get("人大常委会农业农村委员会")
            suggestion.coordinating_committee = committees.get(
                "人大常委会代表工作委员会"
            )
        if wugang and index < 4:
            suggestion.fund_amount = Decimal(50 + 10 * index)  # 建议办理专项资金
        suggestion.save()
        made += 1
        if wugang:
            suggestion_event_record(
                suggestion=suggestion,
                kind=SuggestionEvent.Kind.GUIDANCE,
                actor=staff,
                note="提交前经代表工委选题指导,聚焦群众急难愁盼。",
            )
        suggestion_event_record(
            suggestion=suggestion, kind=SuggestionEvent.Kind.REGISTERED, actor=staff
        )
        if status == Suggestion.Status.REGISTERED:
            continue
        unit = units[index % len(units)]
        assignment = Assignment.objects.create(
            suggestion=suggestion,
            unit=unit,
            role=Assignment.Role.LEAD,
            assigned_on=today,
            assigned_by=staff,
            due_date=today + datetime.timedelta(days=90),
            acknowledged_at=None if status == Suggestion.Status.ASSIGNED else now,
        )
        suggestion_event_record(
            suggestion=suggestion,
            kind=SuggestionEvent.Kind.ASSIGNED,
            actor=staff,
            detail={"units": [{"unit": unit.name, "role": "主办"}]},
            note="市长领办" if wugang and index == 1 else "",
        )
        if status in (Suggestion.Status.ASSIGNED, Suggestion.Status.HANDLING):
            continue
        Reply.objects.create(
            suggestion=suggestion,
            assignment=assignment,
            text=REPLY_TEXT,
            result_class="AB"[index % 2],
            signer="负责人",
            replied_at=now,
            replied_by=staff,
        )
        if status == Suggestion.Status.CLOSED:
            Evaluation.objects.create(
                suggestion=suggestion,
                deputy=deputy,
                result="satisfied" if index % 3 else "basically_satisfied",
                recorded_by=staff,
                is_paper=True,
            )
        if dongkou and index == 4:
            suggestion_event_record(
                suggestion=suggestion,
                kind=SuggestionEvent.Kind.STEP,
                actor=staff,
                note="列入常委会专题询问,承办单位负责人到会回答询问。",
            )
    search_reindex(
        suggestion_ids=list(
            Suggestion.objects.filter(region=county).values_list("pk", flat=True)
        )
    )
    return made


# ---------------------------------------------------------------------------
# Scale.
# ---------------------------------------------------------------------------


def suggestions_scale_build(*, options: dict, log: Callable[[str], None]) -> None:
    """Top up the city's suggestions to ``options["suggestions"]`` over five years."""
    target = int(options.get("suggestions") or 0)
    if connection.vendor != "postgresql" or target <= 0:
        return
    started = time.monotonic()
    made = _scale(target=target, today=timezone.localdate())
    _log_time(log, f"{made} scale suggestions", started)


def _scale_actor() -> User:
    user = User.objects.filter(username="scale_suggestions").first()
    if user is None:
        user = User(username="scale_suggestions", last_name="批量数据")
        user.set_unusable_password()
        user.save()
    return user


def _scale(*, target: int, today: datetime.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM suggestions_suggestion s "
            "JOIN congress_region r ON r.id = s.region_id WHERE r.code LIKE %s",
            [CITY_PREFIX + "%"],
        )
        existing = cursor.fetchone()[0]
    need = target - existing
    if need <= 0:
        return 0
    actor = _scale_actor()
    titles = [t for t, _c, _k in TEXTS]
    contents = [c for _t, c, _k in TEXTS]
    categories = [str(k) for _t, _c, k in TEXTS]
    documents = [search_document(title=t, content=c) for t, c, _k in TEXTS]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS _sg_deputy")
        cursor.execute(
            """
            CREATE TEMP TABLE _sg_deputy ON COMMIT DROP AS
            SELECT (row_number() OVER (ORDER BY d.id)) - 1 AS n, d.id,
                   c.id AS county_id
            FROM deputies_deputy d
            JOIN congress_region r ON r.id = d.region_id
            JOIN congress_region c ON c.code = substr(r.code, 1, 6) || '000000'
            WHERE r.code LIKE %s
            """,
            [CITY_PREFIX + "%"],
        )
        cursor.execute("DROP TABLE IF EXISTS _sg_unit")
        cursor.execute(
            """
            CREATE TEMP TABLE _sg_unit ON COMMIT DROP AS
            SELECT o.region_id AS county_id,
                   (row_number() OVER (PARTITION BY o.region_id ORDER BY o.id)) - 1
                     AS k,
                   o.id,
                   count(*) OVER (PARTITION BY o.region_id) AS size
            FROM congress_organization o
            JOIN congress_region r ON r.id = o.region_id
            WHERE r.code LIKE %s AND r.level = 3 AND o.kind = 'government_department'
            """,
            [CITY_PREFIX + "%"],
        )
        cursor.execute("SELECT count(*) FROM _sg_deputy")
        deputies = cursor.fetchone()[0]
        if deputies == 0:
            return 0
        cursor.execute("CREATE INDEX ON _sg_deputy (n)")
        cursor.execute("CREATE INDEX ON _sg_unit (county_id, k)")
        cursor.execute(
            "SELECT coalesce(max(number), 0), coalesce(max(id), 0) "
            "FROM suggestions_suggestion"
        )
        base_number, floor = cursor.fetchone()
        done = 0
        while done < need:
            batch = min(SCALE_BATCH, need - done)
            first = existing + done
            # g spreads over deputies ((g * 7919) % n) and over the 1,826 days of
            # five years; g % 20 picks the state (older ones are mostly closed).
            cursor.execute(
                """
                INSERT INTO suggestions_suggestion
                  (number, year, title, content, category, lead_deputy_id, region_id,
                   status, review_stage, return_reason, submitted_at, registered_at,
                   is_key, rehandling_rounds, closed_at, created_at, updated_at,
                   search_vector)
                SELECT %(base)s + g + 1,
                       extract(year FROM x.day)::int,
                       (%(titles)s::text[])[g %% 10 + 1],
                       (%(contents)s::text[])[g %% 10 + 1],
                       (%(categories)s::text[])[g %% 10 + 1],
                       d.id, d.county_id,
                       CASE WHEN x.st < 9 THEN (ARRAY['draft', 'reviewing',
                         'returned', 'not_accepted', 'registered', 'assigned',
                         'handling', 'replied', 'rehandling'])[x.st + 1]
                         ELSE 'closed' END,
                       CASE WHEN x.st = 1 THEN 'secretariat' ELSE '' END,
                       '',
                       CASE WHEN x.st = 0 THEN NULL ELSE x.day::timestamptz END,
                       CASE WHEN x.st >= 4 THEN x.day::timestamptz END,
                       g %% 97 = 0,
                       CASE WHEN x.st = 8 OR x.st >= 18 THEN 1 ELSE 0 END,
                       CASE WHEN x.st >= 9 THEN x.day::timestamptz + interval '80 days'
                         END,
                       x.day::timestamptz, x.day::timestamptz,
                       to_tsvector('simple', (%(documents)s::text[])[g %% 10 + 1])
                FROM generate_series(%(first)s, %(last)s) AS g
                CROSS JOIN LATERAL (
                  SELECT %(today)s::date - ((g * 7919) %% 1826)::int AS day,
                         (g %% 20)::int AS st
                ) AS x
                JOIN _sg_deputy d ON d.n = (g * 7919) %% %(deputies)s
                """,
                {
                    "base": base_number,
                    "titles": titles,
                    "contents": contents,
                    "categories": categories,
                    "documents": documents,
                    "first": first,
                    "last": first + batch - 1,
                    "today": today,
                    "deputies": deputies,
                },
            )
            done += batch
        # Assignments (lead unit) for everything assigned or later.
        cursor.execute(
            """
            INSERT INTO suggestions_assignment
              (suggestion_id, unit_id, role, assigned_on, assigned_by_id, due_date,
               extended, extension_reason, acknowledged_at, reassignment_reason,
               co_view, is_active)
            SELECT s.id, u.id, 'lead', s.registered_at::date, %(actor)s,
                   s.registered_at::date + 92, false, '',
                   CASE WHEN s.status <> 'assigned' THEN s.registered_at
                     + interval '2 days' END,
                   '', '', true
            FROM suggestions_suggestion s
            JOIN _sg_unit u ON u.county_id = s.region_id AND u.k = s.id %% u.size
            WHERE s.id > %(floor)s AND s.status IN
              ('assigned', 'handling', 'replied', 'rehandling', 'closed')
            """,
            {"actor": actor.pk, "floor": floor},
        )
        # First-round replies; a second one where re-handled and closed.
        for round_, condition in (
            (1, "s.status IN ('replied', 'rehandling', 'closed')"),
            (2, "s.status = 'closed' AND s.rehandling_rounds = 1"),
        ):
            cursor.execute(
                f"""
                INSERT INTO suggestions_reply
                  (suggestion_id, assignment_id, round, letter_number, text,
                   result_class, signer, replied_at, replied_by_id, on_time)
                SELECT s.id, a.id, %(round)s, '', %(text)s,
                       (ARRAY['A', 'A', 'B', 'B', 'C', 'D'])[s.id %% 6 + 1],
                       '负责人', a.assigned_on + 60 * %(round)s, %(actor)s,
                       s.id %% 11 <> 0
                FROM suggestions_suggestion s
                JOIN suggestions_assignment a ON a.suggestion_id = s.id
                WHERE s.id > %(floor)s AND {condition}
                """,  # noqa: S608 - the condition is one of two constants
                {
                    "round": round_,
                    "text": REPLY_TEXT,
                    "actor": actor.pk,
                    "floor": floor,
                },
            )
        # The lead deputy's final rating of closed suggestions.
        cursor.execute(
            """
            INSERT INTO suggestions_evaluation
              (suggestion_id, deputy_id, round, result, comment, is_paper,
               recorded_by_id, created_at)
            SELECT s.id, s.lead_deputy_id, s.rehandling_rounds + 1,
                   (ARRAY['satisfied', 'satisfied', 'basically_satisfied',
                          'unsatisfied'])[s.id %% 4 + 1],
                   '', true, %(actor)s, s.closed_at
            FROM suggestions_suggestion s
            WHERE s.id > %(floor)s AND s.status = 'closed'
            """,
            {"actor": actor.pk, "floor": floor},
        )
        cursor.execute("ANALYZE suggestions_suggestion")
        cursor.execute("ANALYZE suggestions_assignment")
    return need
