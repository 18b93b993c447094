"""The redaction helper on the shapes residents really write (from the shipped labelled
messages and the benchmark's hot-spot messages): names, phone and ID numbers, plates."""

import pytest

from jiceng.core.redact import redact


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        (
            "我是张桂芳，电话13912345678，住幸福小区3号楼2单元501",
            ["张桂芳", "13912345678", "2单元501"],
            ["幸福小区"],
        ),
        (
            "尊敬的相关部门领导：您好！我叫周鱼家，今年45岁，家住L4县煤矿团结村",
            ["周鱼家"],
            ["45岁", "团结村"],
        ),
        ("接收人的地址、电话写我的，姓名写哥哥（周忠家）的。", ["周忠家"], ["哥哥"]),
        (
            "该快递员叫肖恩，电话0000-00000000 非常希望周局长能为我挽回损失",
            ["肖恩", "0000-00000000"],
            ["快递员"],
        ),
        ("150米，是个难关！我是余永，我要感谢你", ["余永"], ["难关"]),
        ("我们的电话是*****************，车牌号是楚H12345", ["*****", "楚H12345"], ["车牌号是"]),
        (
            "3、楚AJ292V一汽大众（蓝色车）4、赣A50397一汽丰田（白色车）",
            ["楚AJ292V", "赣A50397"],
            ["一汽大众"],
        ),
        ("新能源车新AD12345停在消防通道", ["新AD12345"], ["消防通道"]),
        ("身份证号652301199001011234，社保卡挂失", ["652301199001011234"], ["社保卡"]),
        ("固定电话0994-2345678没人接", ["0994-2345678"], ["没人接"]),
        ("联系人：李明，邮箱 liming@example.com", ["李明", "liming@example.com"], ["联系人"]),
        ("楼下王大爷家的狗每天晚上叫", ["王大爷"], ["某大爷", "狗"]),
        ("楼道灯坏了一个月（张桂芳 13912345678）", ["张桂芳", "13912345678"], ["楼道灯"]),
    ],
)
def test_personal_data_is_replaced(text, gone, kept):
    out = redact(text)
    assert gone and out != text  # each case names what must go, and something went
    for piece in gone:
        assert piece not in out, out
    for piece in kept:
        assert piece in out, out


@pytest.mark.parametrize(
    "text",
    [
        "我是清华大学在读学生，约半个月前在网上买了电脑",
        "我是一名普通的出租车司机，出生在一个普通的工人家中",
        "我是鲤溪镇的一个普通公民，今天要反映主干道的问题",
        "嘉顺社区3号楼暖气不热，屋里只有15度，已经三天了",
        "2026年12月3日，小区门口的路灯坏了",
    ],
)
def test_ordinary_words_are_left_alone(text):
    assert redact(text) == text
