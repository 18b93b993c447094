"""The ticket's states and the one table of what may follow what (STYLE.md, habit 1).

Pure: no Django import. `ACTIONS` names every change a person can make, the states it may start
from and the state it leads to (`None`: the state does not change, as for a note). The services
check this table and nothing else; the table test walks every pair.
"""

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"  # 已受理，待派单
    DISPATCHED = "dispatched"  # 已派单，待接单
    RETURNED = "returned"  # 已退单，待派单员裁定
    IN_PROGRESS = "in_progress"  # 办理中
    REPLIED = "replied"  # 已答复，待回访
    REVIEW = "review"  # 回访未解决或不满意，待研判（重办或办结）
    CLOSED = "closed"  # 已办结
    MERGED = "merged"  # 作为重复件并入另一工单


STATUS_LABELS = {
    Status.RECEIVED: "待派单",
    Status.DISPATCHED: "待接单",
    Status.RETURNED: "退单待审",
    Status.IN_PROGRESS: "办理中",
    Status.REPLIED: "待回访",
    Status.REVIEW: "回访未满意待研判",
    Status.CLOSED: "已办结",
    Status.MERGED: "已合并",
}


class PublicStatus(StrEnum):
    """The three words a resident sees (STYLE.md, habit 2)."""

    ACCEPTED = "已受理"
    HANDLING = "办理中"
    DONE = "已办结"


PUBLIC_STATUS = {
    Status.RECEIVED: PublicStatus.ACCEPTED,
    Status.DISPATCHED: PublicStatus.ACCEPTED,
    Status.RETURNED: PublicStatus.ACCEPTED,
    Status.IN_PROGRESS: PublicStatus.HANDLING,
    Status.REVIEW: PublicStatus.HANDLING,
    Status.REPLIED: PublicStatus.DONE,
    Status.CLOSED: PublicStatus.DONE,
    Status.MERGED: PublicStatus.DONE,  # shown through the ticket it was merged into
}

OPEN = frozenset(Status) - {Status.CLOSED, Status.MERGED}
HANDLING = frozenset({Status.DISPATCHED, Status.RETURNED, Status.IN_PROGRESS})


@dataclass(frozen=True)
class Action:
    label: str  # Chinese name, shown in the history and in error messages
    sources: frozenset[Status]
    target: Status | None  # None: stays where it is
    # an action whose outcome decides where it leads (the callback: closed, or up for review)
    outcomes: frozenset[Status] = frozenset()


def _a(label: str, sources, target: Status | None, outcomes=()) -> Action:
    return Action(label, frozenset(sources), target, frozenset(outcomes))


ACTIONS: dict[str, Action] = {
    "receive": _a("受理", [], Status.RECEIVED),  # creation; never from another state
    "dispatch": _a("派单", [Status.RECEIVED], Status.DISPATCHED),
    "redispatch": _a("改派", [Status.DISPATCHED, Status.IN_PROGRESS], Status.DISPATCHED),
    "accept": _a("接单", [Status.DISPATCHED], Status.IN_PROGRESS),
    "return": _a("退单", [Status.DISPATCHED], Status.RETURNED),
    "uphold_return": _a("同意退单并改派", [Status.RETURNED], Status.DISPATCHED),
    "reject_return": _a("驳回退单", [Status.RETURNED], Status.DISPATCHED),
    "request_extension": _a("申请延期", [Status.IN_PROGRESS], None),
    "decide_extension": _a("审批延期", [Status.IN_PROGRESS], None),
    "supervise": _a("督办", OPEN, None),
    # add or remove co-handlers (协办) while the ticket is being handled
    "co_handle": _a("调整协办", HANDLING | {Status.REPLIED, Status.REVIEW}, None),
    "whistle": _a("吹哨", HANDLING, None),
    # a community or village asks its township to whistle (提请吹哨)
    "ask_whistle": _a("提请吹哨", HANDLING, None),
    "whistle_report": _a("吹哨报到", OPEN, None),
    "note": _a("办理记录", OPEN, None),
    "attach": _a("上传照片", OPEN, None),
    "reply": _a("答复", [Status.IN_PROGRESS], Status.REPLIED),
    # solved and not 不满意 closes the ticket; any other answer puts it up for review. From a
    # ticket a phone callback already closed or put up for review, only within the same round:
    # the resident's own rating supersedes it (services.workflow.callback checks the round)
    "callback": _a(
        "回访",
        [Status.REPLIED, Status.CLOSED, Status.REVIEW],
        None,
        [Status.CLOSED, Status.REVIEW],
    ),
    "reopen": _a("重办", [Status.REVIEW], Status.IN_PROGRESS),
    "close": _a("办结", [Status.REPLIED, Status.REVIEW], Status.CLOSED),
    # a grid worker's own patrol finding, settled on the spot with a photo: no dispatch, so it
    # is never counted in 响应率 (the unit cannot credit itself), and no callback
    "close_on_spot": _a("现场办结", [Status.RECEIVED], Status.CLOSED),
    "merge": _a("合并重复件", [Status.RECEIVED, Status.DISPATCHED, Status.RETURNED], Status.MERGED),
    # the reply to a ticket goes to each request merged into it too: each resident gets it and
    # a rating round of their own (written by the reply, never taken by a person)
    "share_reply": _a("并案答复", [Status.MERGED], Status.REPLIED),
    # 双语受理: a bilingual operator's Chinese summary of a request written in Uyghur or
    # Kazakh (the model reads it; the original is kept), and the reply put into the resident's
    # language
    "summarize": _a("写中文摘要", OPEN, None),
    "translate_reply": _a("翻译答复", [Status.REPLIED, Status.REVIEW, Status.CLOSED], None),
    # what the public feed may show: a redacted description, published or withdrawn
    "moderate": _a("公开审核", list(Status), None),
    "overdue": _a("超时", OPEN, None),  # written by the sweep
    "escalate": _a("超时升级", OPEN, None),  # written by the sweep
    # written when the official holiday arrangement replaces a provisional calendar
    "recompute_deadlines": _a("时限重算", [Status.DISPATCHED, Status.IN_PROGRESS], None),
    # the work after intake, off the request path (services.followup): the model's advice,
    # the 每月一题 it joins and the resident's receipt
    "follow_up": _a("受理后续处理", list(Status), None),
    # a ledger's ticket taken in again: its earlier history is removed, and this says how much
    "reimport": _a("台账重新导入", list(Status), Status.RECEIVED),
}

# Actions the system writes by itself; no person takes them from a page or the API.
SYSTEM_ACTIONS = frozenset(
    {
        "receive",
        "overdue",
        "escalate",
        "recompute_deadlines",
        "share_reply",
        "follow_up",
        "reimport",
    }
)

# Events that answer a resident and open a round of callbacks.
REPLYING = frozenset({"reply", "share_reply"})

# Events that give the ticket to a unit: the unit "keeps" the ticket from the last of them.
ASSIGNING = frozenset({"dispatch", "redispatch", "uphold_return"})

# The transition table in the shape of django-oscar's pipeline: status -> reachable statuses.
# A ticket's life only: `reimport` starts a ledger's ticket over from the beginning, outside it.
_LIFE = {name: a for name, a in ACTIONS.items() if name != "reimport"}
TRANSITIONS: dict[Status, frozenset[Status]] = {
    status: frozenset(
        {a.target for a in _LIFE.values() if status in a.sources and a.target is not None}
        | {o for a in _LIFE.values() if status in a.sources for o in a.outcomes}
    )
    for status in Status
}


def allowed(action: str, status: Status | str) -> bool:
    return Status(status) in ACTIONS[action].sources


def target(action: str, status: Status | str, outcome: Status | None = None) -> Status:
    """Where `action` from `status` leads. An action with outcomes needs the one that happened,
    and it must be one of them; any other action's target is the table's."""
    act = ACTIONS[action]
    if act.outcomes:
        if outcome not in act.outcomes:
            raise ValueError(f"{action} leads to one of {sorted(act.outcomes)}, not {outcome}")
        return Status(outcome)
    return act.target if act.target is not None else Status(status)
