"""Write the labelled set of address strings that measures the placing (tests/data/placing/).

    .venv/bin/python scripts/placing_set.py > tests/data/placing/addresses.csv

Each row is a request's place as a hotline operator or a resident writes it, and the village
or community where the request really is. The rows are drawn, with a fixed seed, from the
region table in the shapes hotline notes take (see the README beside the CSV): the full
official chain, the county's short name, the township and village only, the county and village
without the township, the township only, the place inside a description, a group (组, 队) or a
building after the village, and notes that name no place at all. A hand-written part adds the
names that several places share (the two 新戽村, 康宁社区 in two counties, 五工台 the town and
the village) and words that look like place names but are not.

The label is where the request is, not what the words allow: a note that names only a
township is labelled with one of its villages, so placing it at the township counts as
"right township, too high", never as right village.
"""

import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ROOT / "src/jiceng/regions/data/changji.csv"
SEED = 27

PROBLEMS = [
    "路灯不亮",
    "下水道堵了，污水漫到路上",
    "垃圾好几天没人清运",
    "楼顶漏水",
    "暖气不热，屋里只有十五度",
    "路面有大坑，电动车摔了",
    "晚上施工噪音扰民",
    "停水两天了",
    "流浪狗很多，孩子不敢出门",
    "门口有人占道经营",
    "灌溉渠堵塞，地浇不上水",
    "村里的路灯坏了一半",
    "小区电梯经常停运",
    "物业乱收费",
    "天然气管道有异味",
]
DETAILS = [
    "5号楼2单元",
    "3号楼东侧",
    "幼儿园对面",
    "菜市场门口",
    "卫生室旁边",
    "文化广场",
    "小学门口",
    "二组",
    "三组",
    "四队",
    "东头第三家",
    "村委会后面",
    "",
]
ROADS = ["人民路", "建设路", "光明路", "长宁路", "和平街", "团结路", "文化路", "迎宾大道"]
# committee endings people leave out; 社区 and 村 they keep
ENDINGS = ("居民委员会", "村民委员会", "村民委员", "村委会", "居委会", "委员会")


def load() -> dict:
    rows = list(csv.DictReader(REGIONS.open(encoding="utf-8")))
    return {r["code"]: r for r in rows}


def short_village(name: str) -> str:
    """The village as people write it: 嘉顺社区居民委员会 → 嘉顺社区, 雀仁村委会 → 雀仁村."""
    for ending in ENDINGS:
        if name.endswith(ending) and len(name) - len(ending) >= 2:
            core = name[: -len(ending)]
            if not core.endswith(("村", "社区")):
                core += "社区" if ending in ("居民委员会", "居委会") else "村"
            return core
    return name


def short_county(name: str) -> str:
    for word in ("哈萨克自治县", "县", "市"):
        if name.endswith(word):
            return name[: -len(word)]
    return name


def usable_villages(regions: dict) -> list[dict]:
    """Villages and communities that residents live in and name: not 兵团 units, farms'
    生活区 or offices of 类似乡级单位 (a park's committee, a forest station)."""
    out = []
    for r in regions.values():
        if r["level"] != "village":
            continue
        township = regions[r["code"][:9] + "000"]
        if township["township_kind"] == "类似乡级单位" or "兵团" in r["name"]:
            continue
        if r["name"].endswith("生活区") or "连" in r["name"][-4:]:
            continue
        out.append(r)
    return out


def rows(regions: dict) -> list[tuple[str, str, str]]:
    rng = random.Random(SEED)
    villages = usable_villages(regions)
    out: list[tuple[str, str, str]] = []

    def chain(v):
        township = regions[v["code"][:9] + "000"]
        county = regions[v["code"][:6] + "000000"]
        return county, township, v

    def pick():
        return chain(rng.choice(villages))

    problem = lambda: rng.choice(PROBLEMS)  # noqa: E731
    detail = lambda: rng.choice(DETAILS)  # noqa: E731
    shapes = {
        # 昌吉市建国路街道嘉顺社区5号楼2单元
        "full": lambda c, t, v: f"{c['name']}{t['name']}{short_village(v['name'])}{detail()}",
        # 呼图壁五工台镇幸福村三组，灌溉渠堵塞
        "county_short": lambda c, t, v: (
            f"{short_county(c['name'])}{t['name']}{short_village(v['name'])}{detail()}，{problem()}"
        ),
        # 五工台镇幸福村二组
        "township_village": lambda c, t, v: f"{t['name']}{short_village(v['name'])}{detail()}",
        # 玛纳斯县包家店村东头第三家
        "county_village": lambda c, t, v: f"{c['name']}{short_village(v['name'])}{detail()}",
        # 我是六工镇十三户村的村民，村里的路灯坏了一半
        "in_description": lambda c, t, v: (
            f"我是{t['name']}{short_village(v['name'])}的居民，{problem()}，希望尽快处理"
        ),
        # 嘉顺社区居民反映：楼顶漏水（the village alone, as a grid worker writes it)
        "village_only": lambda c, t, v: f"{short_village(v['name'])}居民反映：{problem()}",
        # 奇台县老奇台镇人民路（the township only: the label is still the village)
        "township_only": lambda c, t, v: f"{c['name']}{t['name']}{rng.choice(ROADS)}，{problem()}",
    }
    counts = {
        "full": 60,
        "county_short": 50,
        "township_village": 50,
        "county_village": 40,
        "in_description": 40,
        "village_only": 40,
        "township_only": 30,
    }
    for shape, n in counts.items():
        for _ in range(n):
            c, t, v = pick()
            out.append((shapes[shape](c, t, v), v["code"], shape))
    # notes that name no place at all: they must not be placed anywhere
    for _ in range(15):
        c, t, v = pick()
        out.append(
            (f"{rng.choice(ROADS)}{rng.choice(DETAILS[:7])}{problem()}", v["code"], "no_place")
        )
    out.extend(HAND)
    return out


# Hand-written: shared names, a town and a village of one name, words that only look like
# places. (text, code of the real village, shape)
HAND = [
    ("新戽村二组水渠坏了", "652301101204", "shared_name"),  # two 新戽村 in 昌吉市
    ("大西渠镇新戽村二组水渠坏了", "652301104205", "shared_name"),
    ("三工镇新戽村村委会门口路灯坏了", "652301101204", "shared_name"),
    ("昌吉市新戽村", "652301104205", "shared_name"),
    ("康宁社区楼下垃圾没人收", "652324100008", "shared_name"),  # 昌吉市 and 玛纳斯县
    ("玛纳斯县康宁社区楼下垃圾没人收", "652324100008", "shared_name"),
    ("昌吉市康宁社区楼下垃圾没人收", "652301002007", "shared_name"),
    ("下六工村灌溉渠堵了", "652301103210", "shared_name"),
    ("二六工镇下六工村灌溉渠堵了", "652301103210", "shared_name"),
    ("六工镇下六工村灌溉渠堵了", "652301105200", "shared_name"),
    ("园林社区暖气不热", "652324100005", "shared_name"),
    ("木垒县园林社区暖气不热", "652328100005", "shared_name"),
    ("呼图壁县五工台镇五工台村路灯不亮", "652323105204", "town_and_village"),
    ("五工台村路灯不亮", "652323105204", "town_and_village"),
    ("呼图壁五工台镇", "652323105204", "town_and_village"),
    ("奇台县西地镇西地村", "652325105202", "town_and_village"),
    ("吉木萨尔县西地村", "652327203217", "town_and_village"),
    ("西地村的路坏了", "652325105202", "town_and_village"),
    ("木垒白杨河乡白杨河村", "652328204207", "town_and_village"),
    ("呼图壁县白杨河村", "652323201200", "town_and_village"),
    ("呼图壁县城天山路上的下水道堵了", "652323100003", "look_alike"),
    ("新城市广场门口占道经营", "652301005004", "look_alike"),
    ("昌吉回族自治州人民医院门口堵车", "652301002001", "look_alike"),
    ("天山北路的路灯坏了", "652301005002", "look_alike"),
    ("呼图壁镇人民路", "652323100003", "look_alike"),
    ("玛纳斯镇凤城社区门口", "652324100001", "look_alike"),
]


def main() -> None:
    regions = load()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["text", "code", "shape"])
    for text, code, shape in rows(regions):
        assert code in regions, code
        out.writerow([text, code, shape])


if __name__ == "__main__":
    main()
