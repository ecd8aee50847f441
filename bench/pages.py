"""The pages the benchmark measures. Add a row to extend it.

A ``Page`` is fetched with django.test.Client as a user of ``role`` (``anonymous``:
nobody signed in); an entry whose URL does not resolve (the app is not there yet)
is skipped with a message. A page of one object names a function of
``bench.picks`` in ``pick``, which returns the URL's arguments from the data. A
``Render`` calls a function ``module:attr`` with the county region (a PDF renderer,
for instance) and is skipped when the function does not exist. A ``Measure`` calls
a function ``module:attr`` with the county region that measures by itself and
returns its rows (the ballot burst through gunicorn).

Targets are the issues' (at city scale): 100 ms for changelists, portal and public
pages, 200 ms for search; the core pages of issue 2 keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    url_name: str
    query: str = ""
    role: str = "city_staff"  # a user made by bench.__main__.bench_users
    target_ms: int = 100
    args: tuple = ()
    pick: str = ""  # a function of bench.picks returning ``args`` (or None: no data)
    max_queries: int | None = 10
    why: str = ""  # why the page stays over target, shown in the table when it does


@dataclass(frozen=True)
class Render:
    name: str
    target: str  # "module:function", called as function(region=<county Region>)
    target_ms: int = 10_000
    requires: tuple[str, ...] = ()  # modules that must exist, else the entry is skipped
    why: str = ""


@dataclass(frozen=True)
class Measure:
    name: str
    target: str  # "module:function", called as function(region=<county>, n=<n>)
    requires: tuple[str, ...] = ()
    target_ms: int = 200  # shown when the entry is skipped; the rows carry theirs


OPINIONS_WHY = (
    "按 created_at 倒序而表上没有 created_at 索引,每次都排序范围内的全部意见;"
    "date_hierarchy 另做 MIN/MAX 和 DISTINCT 年份两次全范围扫描。需要 deputies 加"
    "索引(迁移)并像进站记录那样改用固定时段筛选 / no index on created_at (the "
    "order) and the date hierarchy scans the scope twice: needs an index (a "
    "migration) and fixed-period filters as on the visits changelist"
)
ITEM_WHY = (
    "查询已按数据量固定(9 条,200 个问题只读列出);剩下的时间在修改表单和自动补全控件的"
    "渲染,尚未逐项分析 / 9 queries whatever the data; the rest is rendering the change "
    "form and its autocomplete widgets, not yet analysed item by item"
)


VISITS_COUNTY_WHY = (
    "SQL 约 12 ms(范围按区划 id 过滤,限量计数 3 ms);其余是后台渲染 50 行和侧栏的"
    "应用列表(每页 6–11 ms,逐个模型检查权限)。行渲染已去掉每行的复选框模板和链接的"
    " reverse/resolve / ~12 ms of SQL (scope by region ids, capped count 3 ms); the "
    "rest is the admin rendering 50 rows and the sidebar's app list (6–11 ms a page, "
    "a permission check per model); per-row checkbox templates and link "
    "reverse/resolve are gone"
)
PORTAL_OPINIONS_WHY = (
    "收件箱查询(deputies/opinions.py 的 opinion_list_for_handler)把“给我的、"
    "我管理的站、我所在站”用 OR 跨连接表组合,只能扫全部意见,计数和取页各一次;"
    "先取出代表和联络站的 id 再过滤,同一查询约 10 ms / the inbox ORs conditions "
    "across joined tables, so both the count and the page scan every opinion; "
    "with the deputy and station ids resolved first the query takes ~10 ms"
)
RANKING_WHY = (
    "排名按页缓存,一次请求读两个小键;超出时多为完整垃圾回收落在计时内 / cached a "
    "page at a time (two small keys a request); when over, a full garbage "
    "collection fell inside the timed requests"
)


RANKING_PUBLIC_WHY = (
    "p50 约 27 ms;一页列出隆回县全部 1,500 名县级代表,生成的大量对象每十几次请求"
    "触发一次完整垃圾回收(+50–85 ms,基准进程的堆比 gunicorn worker 大,回收更慢)"
    " / p50 ~27 ms: one page of all 1,500 deputies; their objects set off a full "
    "garbage collection every dozen requests (+50–85 ms in the bench's large heap)"
)


PAGES: tuple[Page | Render | Measure, ...] = (
    # Issue 2 (the core): these keep their own targets.
    Page("首页(县级工作人员)", "home", role="county_staff", target_ms=200),
    Page("首页(市级工作人员)", "home", target_ms=200),
    Page(
        "代表列表(县级)",
        "admin:deputies_deputy_changelist",
        role="county_staff",
        target_ms=300,
    ),
    Page("代表列表(市级)", "admin:deputies_deputy_changelist", target_ms=300),
    Page("代表列表 · 搜索", "admin:deputies_deputy_changelist", "q=王", target_ms=300),
    Page("联络站列表", "admin:deputies_liaisonstation_changelist", target_ms=300),
    Page("单位列表", "admin:congress_organization_changelist", target_ms=300),
    Page("代表资格列表", "admin:deputies_mandate_changelist", target_ms=300),
    Page(
        "代表资格列表 · 筛选",
        "admin:deputies_mandate_changelist",
        "level__exact=county&status__exact=active",
        target_ms=300,
    ),
    Page(
        "代表自动补全",
        "admin:autocomplete",
        "app_label=deputies&model_name=mandate&field_name=deputy&term=王",
        target_ms=150,
    ),
    Render(
        "代表名册PDF(隆回县)",
        "bench.renders:roster_render",
        target_ms=20_000,
        requires=("deputies.reports", "congress.reports.render"),
    ),
    # Issue 3 (deputies): every portal page, public page and admin changelist
    # p95 ≤ 100 ms with ≤ 10 queries; the changelist of millions of visits does
    # no exact COUNT(*); the deputy portal as a 隆回县 deputy (``bench_deputy``).
    Page(
        "进站记录列表(县级)",
        "admin:deputies_stationvisit_changelist",
        role="county_staff",
        why=VISITS_COUNTY_WHY,
    ),
    Page("进站记录列表(市级)", "admin:deputies_stationvisit_changelist"),
    Page(
        "进站记录列表 · 今年",
        "admin:deputies_stationvisit_changelist",
        "period=this_year&kind__exact=reception",
    ),
    Page(
        "进站记录列表 · 搜索站名",
        "admin:deputies_stationvisit_changelist",
        "q=联络站",
        target_ms=200,
    ),
    Page("履职活动列表", "admin:deputies_activity_changelist", role="county_staff"),
    Page(
        "群众意见列表(县级)",
        "admin:deputies_citizenopinion_changelist",
        role="county_staff",
        why=OPINIONS_WHY,
    ),
    Page(
        "群众意见列表(市级)",
        "admin:deputies_citizenopinion_changelist",
        why=OPINIONS_WHY,
    ),
    Page(
        "群众意见 · 待审核",
        "admin:deputies_citizenopinion_changelist",
        "status__exact=in_review",
        role="county_staff",
        why=OPINIONS_WHY,
    ),
    Page("积分明细列表", "admin:deputies_pointentry_changelist"),
    Page("积分规则列表", "admin:deputies_pointrule_changelist"),
    Page("向选民述职列表", "admin:deputies_voterreport_changelist"),
    Page(
        "积分排名(县级代表,隆回县)",
        "points-ranking",
        "level=county",
        role="county_staff",
    ),
    Page(
        "积分排名(县级代表,全市)",
        "points-ranking",
        "level=county",
        why=RANKING_WHY,
    ),
    Page("门户 · 我的履职", "portal-home", role="deputy"),
    Page("门户 · 登记进站", "portal-visit-log", role="deputy"),
    Page("门户 · 我的进站记录", "portal-visit-list", role="deputy"),
    Page("门户 · 我的履职活动", "portal-activity-list", role="deputy"),
    Page(
        "门户 · 群众意见", "portal-opinion-list", role="deputy", why=PORTAL_OPINIONS_WHY
    ),
    Page("门户 · 我的积分", "portal-points", role="deputy"),
    Page("公开 · 联络站 /s/", "station-public", role="anonymous", pick="station_token"),
    Page("公开 · 代表 /d/", "deputy-public", role="anonymous", pick="deputy_token"),
    Page(
        "公开 · 留言表单 /s/…/opinion/",
        "station-opinion",
        role="anonymous",
        pick="station_token",
    ),
    Page("公开 · 意见查询 /o/", "opinion-track", role="anonymous", pick="opinion_code"),
    Page(
        "公开 · 积分晾晒 /r/",
        "ranking-public",
        role="anonymous",
        pick="ranking_token",
        why=RANKING_PUBLIC_WHY,
    ),
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
    # Issue 4 (suggestions): the unit portal, the supervisors' list and the
    # changelists p95 ≤ 100 ms with ≤ 10 queries, search ≤ 200 ms, the
    # 建议办理情况报告 of one county and year ≤ 5 s.
    Page(
        "代表建议列表(县级)",
        "admin:suggestions_suggestion_changelist",
        role="county_staff",
    ),
    Page("代表建议列表(市级)", "admin:suggestions_suggestion_changelist"),
    Page(
        "代表建议 · 搜索“道路”",
        "admin:suggestions_suggestion_changelist",
        "q=道路",
        role="county_staff",
        target_ms=200,
    ),
    Page("门户 · 我的建议", "suggestions:portal-list", role="deputy"),
    Page("承办单位 · 建议办理列表", "suggestions:unit-list", role="unit"),
    Page("督办 · 督办的建议", "suggestions:supervisor-list", role="leader"),
    Page(
        "建议统计页(隆回县,本年度)",
        "suggestions:statistics",
        role="county_staff",
        target_ms=5_000,  # the statistics report's target, on screen
        max_queries=None,
    ),
    Render(
        "建议办理情况报告PDF(隆回县,本年度)",
        "suggestions.reports:handling_report_pdf",
        target_ms=5_000,
        requires=("suggestions.reports",),
    ),
    # Issue 5 (oversight): item pages, unit lists and changelists p95 ≤ 100 ms
    # with ≤ 10 queries; the four lists of an item with 200 problems ≤ 3 s.
    Page(
        "监督事项列表(县级)",
        "admin:oversight_oversightitem_changelist",
        role="county_staff",
    ),
    Page("监督事项列表(市级)", "admin:oversight_oversightitem_changelist"),
    Page(
        "监督事项详情(200 个问题)",
        "admin:oversight_oversightitem_change",
        role="county_staff",
        pick="oversight_big_item",
        why=ITEM_WHY,
    ),
    Page("监督计划列表", "admin:oversight_oversightplan_changelist"),
    Page("审议意见列表", "admin:oversight_deliberationopinion_changelist"),
    Page("问题清单列表", "admin:oversight_problem_changelist"),
    Page("对策清单列表", "admin:oversight_countermeasure_changelist"),
    Page("整改清单列表", "admin:oversight_rectification_changelist"),
    Page("监督议题列表", "admin:oversight_topicproposal_changelist"),
    Page("承办单位 · 监督任务", "portal-oversight", role="oversight_unit"),
    Page("公开 · 监督结果", "oversight-results", role="anonymous"),
    Page(
        "公开 · 监督事项结果",
        "oversight-result",
        role="anonymous",
        pick="oversight_published_item",
    ),
    Render(
        "四张清单PDF(200 个问题)",
        "oversight.scale:four_lists_render",
        target_ms=3_000,
        requires=("oversight.scale",),
    ),
    # Issue 6 (livelihood votes): public progress pages, the changelists; 500
    # deputies voting at once through gunicorn (p95 ≤ 200 ms, all within 3 s) and
    # the tally of 500 ballots × 20 candidates ≤ 100 ms (``bench.ballots``).
    Page("票决批次列表", "admin:livelihood_votes_votinground_changelist"),
    Page("民生实事项目列表", "admin:livelihood_votes_livelihoodproject_changelist"),
    Page("公开 · 民生实事票决", "livelihood-rounds", role="anonymous"),
    Page(
        "公开 · 票决结果",
        "livelihood-round",
        role="anonymous",
        pick="livelihood_round",
    ),
    Page(
        "公开 · 项目进展",
        "livelihood-project",
        role="anonymous",
        pick="livelihood_project",
    ),
    Measure(
        "民生实事票决(500 名代表同时投票)",
        "bench.ballots:ballot_burst",
        requires=("livelihood_votes.services", "gunicorn"),
    ),
    Measure(
        "导入代表名册(10,000 行 xlsx)",
        "bench.imports:deputy_import_10k",
        requires=("deputies.imports",),
        target_ms=60_000,
    ),
)
