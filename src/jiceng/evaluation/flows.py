"""The evaluation's workflows, each one table of what may follow what (STYLE.md, habit 1).

Pure: no Django import. A `Flow` names every step a person can take in one workflow, the states
it may start from and the state it leads to (`None`: the state does not change, as for a figure
entered or a nominee reviewed). Who may take each step is the table in `access.py`; the one
function that applies a step is `transitions.apply`. The buttons, the command line and the API
read these tables, and the table tests walk every (state, step, role) cell.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    label: str  # Chinese, shown on the button, in the history and in error messages
    sources: frozenset[str]
    target: str | None
    # a step that writes no event row: a ballot, whose only traces are by design the spent
    # code and the tallies (see surveys.py), or a vote, recorded as one SelectionVote per
    # account and nothing that links the account to its choice
    recorded: bool = True
    button: bool = True  # offered as a button on the object's page
    back: bool = False  # a step backwards (退回): never the page's main button


@dataclass(frozen=True)
class Flow:
    name: str  # the event rows' `flow`
    label: str
    states: dict[str, str]  # state -> Chinese label, in order
    steps: dict[str, Step] = field(default_factory=dict)
    # what to say, after a refusal, about a state: what to do instead
    hints: dict[str, str] = field(default_factory=dict)

    def allowed(self, step: str, state: str) -> bool:
        return step in self.steps and state in self.steps[step].sources

    def target(self, step: str, state: str) -> str:
        """The state after `step` (the same state for a step that changes none)."""
        return self.steps[step].target or state

    @property
    def creating(self) -> str | None:
        """The step that creates a record of this workflow: the one no state leads from (None
        for a workflow whose records another step makes: 整改 items, made by the diagnosis)."""
        steps = [name for name, s in self.steps.items() if not s.sources]
        assert len(steps) <= 1, f"{self.name}: more than one creating step"
        return steps[0] if steps else None

    def steps_from(self, state: str) -> list[str]:
        """The steps allowed from `state`: forward steps first (the page's main button), then
        those that keep the state, then the steps back."""
        steps = [name for name, s in self.steps.items() if state in s.sources]

        def order(name):
            s = self.steps[name]
            return 2 if s.back else (0 if s.target and s.target != state else 1)

        return sorted(steps, key=order)


def _s(label, sources, target=None, **kw) -> Step:
    return Step(label, frozenset([sources] if isinstance(sources, str) else sources), target, **kw)


PERIOD = Flow(
    "period",
    "考评期",
    {
        "open": "录入中",
        "collected": "已收齐",
        "computed": "已计算",
        "reviewed": "已审核",
        "published": "已发布",
    },
    {
        "create": _s("建立考评期", [], "open", button=False),
        "enter": _s("录入数值", ["open", "collected"], button=False),
        "import": _s("导入数值", ["open", "collected"], button=False),
        "collect": _s("确认数据已收齐", "open", "collected"),
        "trial": _s("试算（非最终结果）", "open"),
        "compute": _s("计算", ["collected", "computed"], "computed"),
        "reopen": _s("退回录入（修改数值）", ["collected", "computed"], "open", back=True),
        "review": _s("审核通过", "computed", "reviewed"),
        "publish": _s("发布（结果冻结）", "reviewed", "published"),
        "revise": _s("建立更正期", "published"),
    },
    {
        "open": "数据尚未收齐：请先确认数据已收齐再计算，或先试算（结果标明非最终）",
        "reviewed": "结果已审核冻结，发布后如需更正请建立更正期",
        "published": "结果已发布冻结，如需更正请建立更正期",
    },
)

SELECTION = Flow(
    "selection",
    "“担当我先行”评选",
    {
        "nominating": "推荐提名",
        "reviewing": "资格审查",
        "voting": "投票",
        "runoff": "平票加试",
        "publicity": "公示",
        "done": "已公布结果",
    },
    {
        "create": _s("建立评选", [], "nominating", button=False),
        "nominate": _s("推荐人选", "nominating", button=False),
        "close_nominations": _s("结束推荐，进入资格审查", "nominating", "reviewing"),
        "review_nominee": _s("资格审查", "reviewing", button=False),
        "open_voting": _s("开始投票", "reviewing", "voting"),
        "vote": _s("投票", ["voting", "runoff"], recorded=False, button=False),
        "close_voting": _s("结束投票，进入公示", "voting", "publicity"),
        # a tie at the last seat: a run-off among the tied, or an assessor's decision
        "open_runoff": _s("平票加试投票", "voting", "runoff"),
        "close_runoff": _s("结束加试，进入公示", "runoff", "publicity"),
        "decide_tie": _s("裁定平票", ["voting", "runoff", "publicity"], button=False),
        "object": _s("提出异议", "publicity", button=False),
        "resolve": _s("处理异议", "publicity", button=False),
        "announce": _s("公布结果", "publicity", "done"),
    },
)

CAMPAIGN = Flow(
    "campaign",
    "满意度测评",
    {"draft": "准备中", "open": "投票中", "closed": "已结束"},
    {
        # creation has no state before it: the step is in the table for its label and its
        # roles (access.WHO), and never allowed from a state
        "create": _s("建立测评", [], "draft", button=False),
        "issue_codes": _s("发放投票码", ["draft", "open"], button=False),
        "open": _s("开始投票", "draft", "open"),
        "close": _s("结束投票", "open", "closed"),
        "ballot": _s("投票", "open", recorded=False, button=False),
    },
)

DIAGNOSIS = Flow(
    "diagnosis",
    "把脉问诊",
    {"rectifying": "整改中", "rectified": "整改完成"},
    {
        # created with its scores: 整改中 with a 整改清单, or 整改完成 with nothing to fix
        "record": _s("把脉问诊", [], "rectifying", button=False),
        # taken by the verification of its last open item
        "complete": _s("整改完成", "rectifying", "rectified", button=False),
    },
)

RECTIFICATION = Flow(
    "rectification",
    "整改事项",
    {"open": "整改中", "reported": "已报完成，待核验", "verified": "已核验"},
    {
        "assign": _s("指定责任人和期限", "open", button=False),
        "report": _s("报整改完成", "open", "reported", button=False),
        "verify": _s("核验通过", "reported", "verified"),
        "send_back": _s("退回重新整改", "reported", "open", back=True, button=False),
    },
)

RESERVE = Flow(
    "reserve",
    "后备力量",
    {"active": "在库", "removed": "已出库"},
    {
        "add": _s("纳入后备力量", [], "active", button=False),
        "remove": _s("移出后备力量", "active", "removed", back=True, button=False),
    },
)

MEETING = Flow(
    "meeting",
    "组织生活",
    {"recorded": "已登记"},
    {"record": _s("登记组织生活", [], "recorded", button=False)},
)

FLOWS = {
    flow.name: flow
    for flow in (PERIOD, SELECTION, CAMPAIGN, DIAGNOSIS, RECTIFICATION, RESERVE, MEETING)
}
