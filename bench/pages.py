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
    Render(
        "代表名册PDF(隆回县)",
        "bench.renders:roster_render",
        target_ms=20_000,
        requires=("deputies.reports", "congress.reports.render"),
    ),
)
