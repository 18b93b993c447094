"""Plausible names and phone numbers for demo data and tests. Pure; no Django import.

昌吉州 is a Hui autonomous prefecture with a Kazakh autonomous county, so the demo people are
mostly Han, with Hui, Kazakh and Uyghur names in roughly the prefecture's proportions.
"""

import random

HAN_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
HUI_SURNAMES = "马马马杨李丁海穆冶哈沙纳白金"
GIVEN_MALE = "建国军伟强磊洋勇杰涛明超刚平辉鹏飞华斌波宇浩凯俊峰晨新疆志海林东亮文"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲桂兰萍红梅琳雪婷慧颖琴云洁莉娥秀英凤佳"

UYGHUR_MALE = [
    "艾力",
    "买买提",
    "阿不都",
    "吐尔逊",
    "艾尔肯",
    "热合曼",
    "伊力哈木",
    "库尔班",
    "阿迪力",
]
UYGHUR_FEMALE = [
    "古丽",
    "阿依古丽",
    "热依拉",
    "迪丽娜尔",
    "帕提古丽",
    "米日古丽",
    "再努尔",
    "阿依努尔",
]
UYGHUR_FATHER = ["买买提", "吐尔逊", "艾山", "阿布都热依木", "玉素甫", "依明", "努尔", "司马义"]
KAZAKH_MALE = ["叶尔兰", "努尔兰", "别克", "哈那提", "叶尔江", "加那尔别克", "阿斯哈尔", "达吾列提"]
KAZAKH_FEMALE = ["阿依努尔", "古丽娜尔", "阿娜尔", "哈丽达", "加依娜古丽", "阿依登", "沙吾列"]
KAZAKH_FATHER = ["哈力", "努尔兰", "别克", "吐尔洪", "加帕尔", "巴合提", "赛力克", "叶尔肯"]

MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "158",
    "159",
    "177",
    "180",
    "181",
    "183",
    "186",
    "187",
    "189",
    "199",
]


def person(rng: random.Random, kazakh_share: float = 0.08) -> dict:
    """A name, gender and ethnicity. `kazakh_share` is higher in 木垒哈萨克自治县."""
    gender = rng.choice(["男", "女"])
    roll = rng.random()
    if roll < kazakh_share:
        given = rng.choice(KAZAKH_MALE if gender == "男" else KAZAKH_FEMALE)
        return {
            "name": f"{given}·{rng.choice(KAZAKH_FATHER)}",
            "gender": gender,
            "ethnicity": "哈萨克族",
        }
    if roll < kazakh_share + 0.04:
        given = rng.choice(UYGHUR_MALE if gender == "男" else UYGHUR_FEMALE)
        return {
            "name": f"{given}·{rng.choice(UYGHUR_FATHER)}",
            "gender": gender,
            "ethnicity": "维吾尔族",
        }
    chars = GIVEN_MALE if gender == "男" else GIVEN_FEMALE
    given = "".join(rng.choice(chars) for _ in range(rng.choice([1, 2, 2])))
    if roll < kazakh_share + 0.15:
        return {"name": rng.choice(HUI_SURNAMES) + given, "gender": gender, "ethnicity": "回族"}
    return {"name": rng.choice(HAN_SURNAMES) + given, "gender": gender, "ethnicity": "汉族"}


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))
