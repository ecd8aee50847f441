"""The pages the benchmark measures. Add a row to extend it.

A ``Page`` is fetched with django.test.Client as a user of ``role``; an entry whose
URL does not resolve (the app is not there yet) is skipped with a message. A
``Render`` calls a function ``module:attr`` with the county region (a PDF renderer,
for instance) and is skipped when the function does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    url_name: str
    query: str = ""
    role: str = "city_staff"  # a user made by bench.__main__.bench_users
    target_ms: int = 300
    args: tuple = ()


@dataclass(frozen=True)
class Render:
    name: str
    target: str  # "module:function", called as function(region=<county Region>)
    target_ms: int = 10_000
    requires: tuple[str, ...] = ()  # modules that must exist, else the entry is skipped


PAGES: tuple[Page | Render, ...] = (
    Page("首页(县级工作人员)", "home", role="county_staff", target_ms=200),
    Page("首页(市级工作人员)", "home", target_ms=200),
    Page("代表列表(县级)", "admin:deputies_deputy_changelist", role="county_staff"),
    Page("代表列表(市级)", "admin:deputies_deputy_changelist"),
    Page("代表列表 · 搜索", "admin:deputies_deputy_changelist", "q=王"),
    Page("联络站列表", "admin:deputies_liaisonstation_changelist"),
    Page("单位列表", "admin:congress_organization_changelist"),
    Page("代表资格列表", "admin:deputies_mandate_changelist"),
    Page(
        "代表资格列表 · 筛选",
        "admin:deputies_mandate_changelist",
        "level__exact=county&status__exact=active",
    ),
    Page(
        "代表自动补全",
        "admin:autocomplete",
        "app_label=deputies&model_name=mandate&field_name=deputy&term=王",
        target_ms=150,
    ),
    # 进站履职 and 履职活动: the changelist of millions of visits (no exact COUNT(*)),
    # and the deputy portal as a 隆回县 deputy (``bench_deputy``).
    Page(
        "进站记录列表(县级)",
        "admin:deputies_stationvisit_changelist",
        role="county_staff",
    ),
    Page("进站记录列表(市级)", "admin:deputies_stationvisit_changelist"),
    Page(
        "进站记录列表 · 今年",
        "admin:deputies_stationvisit_changelist",
        "period=this_year&kind__exact=reception",
    ),
    Page(
        "进站记录列表 · 搜索站名", "admin:deputies_stationvisit_changelist", "q=联络站"
    ),
    Page("履职活动列表", "admin:deputies_activity_changelist", role="county_staff"),
    Page("门户 · 我的履职", "portal-home", role="deputy", target_ms=100),
    Page("门户 · 登记进站", "portal-visit-log", role="deputy", target_ms=100),
    Page("门户 · 我的进站记录", "portal-visit-list", role="deputy", target_ms=100),
    Page("门户 · 我的履职活动", "portal-activity-list", role="deputy", target_ms=100),
    Render(
        "代表名册PDF(隆回县)",
        "bench.renders:roster_render",
        target_ms=20_000,
        requires=("deputies.reports", "congress.reports.render"),
    ),
    # 履职积分 and 履职档案 (helper C).
    Page(
        "积分排名(县级代表,隆回县)",
        "points-ranking",
        "level=county",
        role="county_staff",
    ),
    Page("积分排名(县级代表,全市)", "points-ranking", "level=county"),
    Page("积分明细列表", "admin:deputies_pointentry_changelist"),
    Page("积分规则列表", "admin:deputies_pointrule_changelist"),
    Page("向选民述职列表", "admin:deputies_voterreport_changelist"),
    Render(
        "积分重算(全市 30,000 名代表,本年度,从零)",
        "bench.points:points_rebuild_city",
        target_ms=10_000,
        requires=("deputies.points",),
    ),
    Render(
        "积分重算(全市,无变化时)",
        "bench.points:points_rebuild_again",
        target_ms=10_000,
        requires=("deputies.points",),
    ),
    Render(
        "履职档案PDF(一名代表)",
        "bench.points:archive_one",
        target_ms=2_000,
        requires=("deputies.archive",),
    ),
    Render(
        "履职档案汇编PDF(300 名代表)",
        "bench.points:booklet_300",
        target_ms=60_000,
        requires=("deputies.archive",),
    ),
    # 监督工作 (helper E): item pages and changelists p95 ≤ 100 ms with ≤ 10 queries;
    # the four lists of an item with 200 problems ≤ 3 s.
    Page(
        "监督事项列表(县级)",
        "admin:oversight_oversightitem_changelist",
        role="county_staff",
        target_ms=100,
    ),
    Page(
        "监督事项列表(市级)", "admin:oversight_oversightitem_changelist", target_ms=100
    ),
    Page("对策清单列表", "admin:oversight_countermeasure_changelist", target_ms=100),
    Page("问题清单列表", "admin:oversight_problem_changelist", target_ms=100),
    Page("监督议题列表", "admin:oversight_topicproposal_changelist", target_ms=100),
    Page("监督结果公开", "oversight-results", target_ms=100),
    Render(
        "四张清单PDF(200 个问题)",
        "oversight.scale:four_lists_render",
        target_ms=3_000,
        requires=("oversight.scale",),
    ),
    # 代表建议 (helper D): changelists p95 ≤ 100 ms with ≤ 10 queries, search
    # ≤ 200 ms, the 建议办理情况报告 of one county and year ≤ 5 s.
    Page(
        "代表建议列表(县级)",
        "admin:suggestions_suggestion_changelist",
        role="county_staff",
        target_ms=100,
    ),
    Page(
        "代表建议列表(市级)", "admin:suggestions_suggestion_changelist", target_ms=100
    ),
    Page(
        "代表建议 · 搜索“道路”",
        "admin:suggestions_suggestion_changelist",
        "q=道路",
        role="county_staff",
        target_ms=200,
    ),
    Page("门户 · 我的建议", "suggestions:portal-list", role="deputy", target_ms=100),
    Render(
        "建议办理情况报告PDF(隆回县,本年度)",
        "suggestions.reports:handling_report_pdf",
        target_ms=5_000,
        requires=("suggestions.reports",),
    ),
)
