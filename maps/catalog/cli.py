"""Texts of the command line: tables, notes and progress of ``gridpatrol`` commands (``--lang`` /
``GRIDPATROL_LANG``)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "cli.progress.analyse": {"en": "Analysing the district", "zh-CN": "正在分析辖区"},
    "cli.progress.write": {"en": "Writing the files", "zh-CN": "正在写出文件"},
    "cli.progress.staffing_done": {"en": "Staffing done", "zh-CN": "巡防力量测算完成"},
    "cli.outputs": {"en": "Outputs:", "zh-CN": "输出文件："},
    "cli.note": {"en": "note: {note}", "zh-CN": "说明：{note}"},
    "cli.seconds": {"en": "({s:.1f} s)", "zh-CN": "（用时 {s:.1f} 秒）"},
    "cli.timezone": {"en": "time zone: {zone}", "zh-CN": "时区：{zone}"},
    "cli.staff.title": {
        "en": "{district}: staffing proposal",
        "zh-CN": "{district}：巡防力量配置建议",
    },
    "cli.staff.norms_no_areas": {
        "en": "norms: no areas, so no norm (no population data)",
        "zh-CN": "配置标准：没有片区，无法按标准测算（无人口数据）",
    },
    "cli.staff.norms_no_population": {
        "en": "norms: none of the {n} areas has population data",
        "zh-CN": "配置标准：{n} 个片区均无人口数据",
    },
    "cli.staff.norms": {
        "en": "norms: {fulltime} full-time, {volunteers} volunteers, {pay:,.0f} per month{of}",
        "zh-CN": "配置标准：专职巡防力量 {fulltime} 人，义务巡防力量 {volunteers} 人，"
        "每月经费 {pay:,.0f} 元{of}",
    },
    "cli.staff.norms_missing": {
        "en": " ({missing} of {n} areas have no population data)",
        "zh-CN": "（{n} 个片区中有 {missing} 个无人口数据）",
    },
    "cli.staff.shift_table": {
        "en": "On duty per shift (people at the same time)",
        "zh-CN": "各班次在岗人数（同一时间在岗）",
    },
    "cli.staff.col.shift": {"en": "shift", "zh-CN": "班次"},
    "cli.staff.col.workload_units": {"en": "workload units", "zh-CN": "按工作量应配巡组"},
    "cli.staff.col.people": {"en": "people", "zh-CN": "人数"},
    "cli.staff.col.current": {"en": "current", "zh-CN": "现有"},
    "cli.staff.col.shortage": {"en": "shortage", "zh-CN": "缺口"},
    "cli.staff.col.surplus": {"en": "surplus", "zh-CN": "富余"},
    "cli.staff.team": {
        "en": "team (people per week): {line}",
        "zh-CN": "队伍规模（全周队员）：{line}",
    },
    "cli.staff.norm_none": {"en": "norm: no population data", "zh-CN": "按标准：无人口数据"},
    "cli.staff.norm": {
        "en": "norm {n} ({residents:,.0f} residents)",
        "zh-CN": "按标准 {n} 人（实有人口 {residents:,.0f}）",
    },
    "cli.staff.workload": {"en": "workload {n}", "zh-CN": "按工作量 {n} 人"},
    "cli.staff.required": {"en": "required {n}", "zh-CN": "应配 {n} 人"},
    "cli.staff.current": {"en": "current {n}", "zh-CN": "现有 {n} 人"},
    "cli.staff.gap": {
        "en": "shortage {short}, surplus {surplus}",
        "zh-CN": "缺口 {short} 人，富余 {surplus} 人",
    },
    "cli.staff.per_day": {
        "en": "people on duty per day (all shifts): {n}",
        "zh-CN": "每日在岗人次（各班次合计）：{n}",
    },
    "cli.staff.shifts": {
        "en": "shifts: {proposed} (fixed: {fixed}); improvement {gain:.1%}",
        "zh-CN": "错时班次：{proposed}（固定班次：{fixed}）；覆盖提升 {gain:.1%}",
    },
    # ---- gridpatrol plan
    "cli.error": {"en": "error:", "zh-CN": "错误："},
    "cli.plan.progress": {"en": "Planning {band}", "zh-CN": "正在编排{band}"},
    "cli.plan.title_same": {
        "en": "Plan for {date}, shift {shift} (risk band {shift})",
        "zh-CN": "{date} {shift}巡逻计划",
    },
    "cli.plan.title": {
        "en": "Plan for {date}, shift {shift} (risk band {risk})",
        "zh-CN": "{date} {shift}巡逻计划（风险时段：{risk}）",
    },
    "cli.plan.col.unit": {"en": "unit", "zh-CN": "巡组"},
    "cli.plan.col.mode": {"en": "mode", "zh-CN": "方式"},
    "cli.plan.col.station": {"en": "station", "zh-CN": "驻地"},
    "cli.plan.col.stops": {"en": "stops", "zh-CN": "点位"},
    "cli.plan.col.km": {"en": "km", "zh-CN": "里程/公里"},
    "cli.plan.col.travel": {"en": "travel min", "zh-CN": "路途/分钟"},
    "cli.plan.col.patrol": {"en": "patrol min", "zh-CN": "巡逻/分钟"},
    "cli.plan.col.until": {"en": "until", "zh-CN": "结束"},
    "cli.plan.covered": {
        "en": "risk covered: {share:.1%} of the shift's hourly risk has a full visit; "
        "{dropped} of {tasks} task(s) not done; planned in {seconds:.1f} s",
        "zh-CN": "风险覆盖：本班次分时段风险的 {share:.1%} 得到完整巡查；"
        "{tasks} 项任务中 {dropped} 项未完成；编排用时 {seconds:.1f} 秒",
    },
    "cli.plan.bound": {
        "en": "presence value {value:.2f} of at most {bound:.2f} (an upper bound on any "
        "plan): {ratio:.1%} of the bound",
        "zh-CN": "见警率得分 {value:.2f}，上限 {bound:.2f}（任何方案都不可能超过的理论上限）："
        "达到上限的 {ratio:.1%}",
    },
    "cli.plan.finding": {"en": "finding: {note}", "zh-CN": "发现：{note}"},
    "cli.plan.day": {
        "en": "day {day} ({date}): risk {share:.1%}, stop-order overlap with day 1 {overlap:.0%}",
        "zh-CN": "第 {day} 天（{date}）：风险覆盖 {share:.1%}，点位顺序与第 1 天重合 {overlap:.0%}",
    },
    # ---- gridpatrol map / sheets
    "cli.maps.drawing_file": {
        "en": "Drawing the plan in {path} as it is (not planning again).",
        "zh-CN": "按原样绘制 {path} 中的计划（不重新编排）。",
    },
    "cli.maps.planned": {
        "en": "Planned the shift and wrote {path}; drawing that plan.",
        "zh-CN": "已编排本班次并写出 {path}；据此绘制。",
    },
    "cli.maps.progress_map": {"en": "Drawing the map", "zh-CN": "正在绘制巡逻图"},
    "cli.maps.progress_sheets": {"en": "Writing {formats}", "zh-CN": "正在写出 {formats}"},
    "cli.maps.map_written": {
        "en": "Map written: {path} ({size})",
        "zh-CN": "巡逻图已写出：{path}（{size}）",
    },
    "cli.maps.sheets_written": {"en": "Route sheets written:", "zh-CN": "巡逻路线单已写出："},
    # option names and commands are fields: they stay as the user types them
    "cli.maps.error.plan_options": {
        "en": "{flag} draws the plan file as it was planned; {options} would change a new plan, "
        "not that one. Drop them, or plan again with {command} and draw {path}",
        "zh-CN": "{flag} 按计划文件原样绘制；{options} 只会改变新的计划，不会改变该文件。"
        "请去掉这些选项，或用 {command} 重新编排后绘制 {path}",
    },
    "cli.maps.error.no_plan_file": {
        "en": "{flag}: file not found: {path}",
        "zh-CN": "{flag}：找不到文件：{path}",
    },
    "cli.maps.error.day": {
        "en": "{flag}: expected 1..{vary} ({vary_flag} {vary}), got {day}",
        "zh-CN": "{flag}：应为 1..{vary}（{vary_flag} {vary}），实际为 {day}",
    },
    "cli.hotspots.col.rank": {"en": "rank", "zh-CN": "排名"},
    "cli.hotspots.col.cell": {"en": "cell", "zh-CN": "网格"},
    "cli.hotspots.col.score": {"en": "score", "zh-CN": "风险分值"},
    "cli.hotspots.col.z": {"en": "Gi* z", "zh-CN": "Gi* z 值"},
    "cli.hotspots.col.significance": {"en": "significance", "zh-CN": "显著性"},
    "cli.hotspots.col.incidents": {"en": "incidents", "zh-CN": "警情数"},
    "cli.hotspots.col.peak": {"en": "peak hours", "zh-CN": "高发时段"},
    "cli.hotspots.col.patrol": {"en": "found by patrol", "zh-CN": "巡逻发现占比"},
}
