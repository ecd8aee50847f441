"""The two data sets: the demo (four counties at the seed's sizes) and the
city-scale set (all twelve counties)."""

from __future__ import annotations

from congress.demo import regions as R
from congress.demo.builders import CountyPlan
from congress.demo.builders import collection_points
from congress.demo.builders import stations_per_township

# The seed's sizes.
WUGANG_STATIONS = 58
DAXIANG_DEPUTIES = 351
DONGKOU_COLLECTION_POINTS = 286
DEMO_DEPUTIES = 120  # 隆回, 洞口, 武冈 (the seed gives no figure)


def demo_plans() -> list[CountyPlan]:
    """隆回县, 洞口县, 武冈市 and 大祥区, filled at the sizes of the seed."""
    c = R.COUNTY_BY_NAME
    longhui = CountyPlan(c["隆回县"], deputies=DEMO_DEPUTIES)
    longhui.stations = stations_per_township(longhui, len(longhui.townships))

    dongkou = CountyPlan(c["洞口县"], villages_per_township=16, deputies=DEMO_DEPUTIES)
    dongkou.stations = stations_per_township(
        dongkou, len(dongkou.townships), extra_home=False
    ) + collection_points(dongkou, DONGKOU_COLLECTION_POINTS)

    wugang = CountyPlan(c["武冈市"], deputies=DEMO_DEPUTIES)
    wugang.stations = stations_per_township(wugang, WUGANG_STATIONS, extra_home=False)
    wugang.stations.append(
        ("武冈市人大代表民主实践基地", "democracy_base", wugang.county.code)
    )

    daxiang = CountyPlan(c["大祥区"], deputies=DAXIANG_DEPUTIES)
    daxiang.stations = stations_per_township(daxiang, len(daxiang.townships))
    return [longhui, dongkou, wugang, daxiang]


def scale_plans(
    *, deputies: int = 30_000, stations: int = 720, villages_per_township: int = 10
) -> list[CountyPlan]:
    """All twelve counties, with ``deputies`` and ``stations`` spread evenly."""
    plans = []
    n = len(R.COUNTIES)
    for i, county in enumerate(R.COUNTIES):
        plan = CountyPlan(
            county,
            villages_per_township=villages_per_township,
            deputies=deputies // n + (1 if i < deputies % n else 0),
        )
        plan.stations = stations_per_township(
            plan, stations // n + (1 if i < stations % n else 0), extra_home=False
        )
        plans.append(plan)
    return plans
