"""Take personal data out of a resident's words before anything is published.

Pure: no Django import. Residents write their name, number, ID number and plate number into
the request itself ("我叫周鱼家，今年45岁", "快递员叫肖恩，电话0000-00000000", "车牌号是楚H…").
`redact` replaces each with a bracketed word. It errs on the side of hiding: a staff member
moderates every public description, and the Open311 writers pass it through here once more.
"""

import re

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万"
    "钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝"
    "包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬"
    "师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝买马热依艾买阿吐"
)
_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐"
_NAME = rf"(?:{_COMPOUND}|[{_SURNAMES}])[\u4e00-\u9fa5]{{1,2}}"
_STOP = r"(?=[，,。.！!？?；;：:、\s（(）)]|$)"

_RULES: list[tuple[re.Pattern, str]] = [
    # e-mail addresses
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[邮箱]"),
    # 18- and 15-digit resident ID numbers (before phones: they contain phone-like runs)
    (re.compile(r"(?<![0-9])(?:\d{17}[\dXx]|\d{15})(?![0-9Xx])"), "[身份证号]"),
    # mobiles, landlines with area code, and any other run of 7+ digits or masking stars
    (re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9])"), "[电话]"),
    (re.compile(r"(?<![0-9])0\d{2,3}[- ]?\d{7,8}(?![0-9])"), "[电话]"),
    (re.compile(r"(?<![0-9])\d{3,4}-\d{7,8}(?![0-9])"), "[电话]"),
    (re.compile(r"\*{6,}"), "[电话]"),
    # plate numbers: province, letter, optional dot, 5–6 letters or digits (new energy: 6)
    (
        re.compile(
            r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领楚]"
            r"[A-Z][·•.\s]?[A-Z0-9]{4,6}[挂学警港澳]?(?![A-Za-z0-9])"
        ),
        "[车牌号]",
    ),
    # door numbers: 3单元501, 501室
    (re.compile(r"\d+\s*单元\s*\d+\s*(?:室|号|户)?"), "[门牌]"),
    (re.compile(r"(?<![0-9])\d{3,4}\s*室"), "[门牌]"),
    # names after the words that introduce them: 我叫…, 我是…, 姓名：…, 联系人…, 叫…
    (
        re.compile(
            rf"(我叫|我是|本人|姓名[：:是为]?|联系人[：:是为]?|名叫|名字叫|叫做|叫)\s*{_NAME}{_STOP}"
        ),
        r"\1[姓名]",
    ),
    # a name in brackets after a relation or a role: 哥哥（周忠家）
    (
        re.compile(
            r"(哥哥|姐姐|弟弟|妹妹|父亲|母亲|爸爸|妈妈|丈夫|妻子|爱人|儿子|女儿|老人|本人|业主"
            rf"|房东|老板|经理|负责人|司机|师傅)([（(]){_NAME}([）)])"
        ),
        r"\1\2[姓名]\3",
    ),
    # a name written next to a number: 张桂芳 13912345678, 联系张桂芳：0994…
    (re.compile(rf"{_NAME}(\s*[，,:：]?\s*\[电话\])"), r"[姓名]\1"),
    # 张先生, 李女士, 王大爷: keep the courtesy, drop the surname
    (
        re.compile(rf"(?:{_COMPOUND}|[{_SURNAMES}])(先生|女士|小姐|师傅|大爷|大妈|阿姨|老师|同志)"),
        r"某\1",
    ),
]


def redact(text: str) -> str:
    """`text` with names, phone and ID numbers, plate numbers, e-mail and door numbers
    replaced by [姓名], [电话], [身份证号], [车牌号], [邮箱] and [门牌]."""
    text = text or ""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
