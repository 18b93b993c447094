"""The workflow tables written out for people: one Markdown table per workflow, each step with
the states it starts from, the state it leads to, who may take it and whether it is recorded.
Read from `flows.FLOWS` and `access.WHO`, never written by hand."""

from jiceng.orgs.models import RoleCode

from . import access, flows

WHO_LABELS = {
    access.PUBLIC: "任何人（无需账号）",
    access.VOTER: "评选范围内的账号",
    access.MEMBER: "评选范围内或上级的账号",
    access.RESPONSIBLE: "责任人本人",
}


def _who(roles) -> str:
    names = [WHO_LABELS.get(r) or RoleCode(r).label for r in sorted(roles)]
    return "、".join(names)


def markdown() -> str:
    out = []
    for flow in flows.FLOWS.values():
        out.append(f"### {flow.label} (`{flow.name}`)")
        out.append("")
        out.append("状态：" + " → ".join(f"{label}（`{s}`）" for s, label in flow.states.items()))
        out.append("")
        out.append("| 步骤 | 可从 | 进入 | 谁可以 | 记录 |")
        out.append("| --- | --- | --- | --- | --- |")
        for name, step in flow.steps.items():
            sources = (
                "、".join(flow.states[s] for s in flow.states if s in step.sources) or "（新建）"
            )
            target = flow.states[step.target] if step.target else "（不变）"
            recorded = "是" if step.recorded else "否（不留痕，见说明）"
            who = _who(access.WHO[(flow.name, name)])
            out.append(f"| {step.label}（`{name}`） | {sources} | {target} | {who} | {recorded} |")
        out.append("")
    return "\n".join(out)
