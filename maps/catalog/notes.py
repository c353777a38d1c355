"""Notes and findings of plans and staffing runs (written in English by ``geo`` and ``planner``)
as a person reads them, and the job errors the web pages show.

``geo`` and ``planner`` do not import ``maps``: they write their notes as English sentences,
which stay the contract (``plan.json`` ``notes``, ``--json`` outputs). :data:`PATTERNS` matches
those sentences and names the key whose text says the same in the reader's language;
:func:`maps.i18n.note_text` fills the key's fields from the match. A sentence no pattern
matches is shown as it is. Fields named in :data:`NESTED` hold a sentence of their own (the
reason of a risk method choice) and are translated the same way; ``band`` and ``shift`` fields
are named as coordinators name shifts (:func:`maps.i18n.band_label`).
"""

from __future__ import annotations

import re
from typing import Final

TEXTS: dict[str, dict[str, str]] = {
    # ---- the inputs of a command (api.district_loader, geo.timezone)
    "note.input.sample": {
        "en": "No input files given: using the embedded sample district {sample}.",
        "zh-CN": "未指定输入文件：使用内置示例辖区 {sample}。",
    },
    "note.input.zone": {
        "en": "Time zone {zone}, from the district's centroid ({where}); give --timezone to "
        "choose another.",
        "zh-CN": "时区 {zone}：按辖区中心点（{where}）确定；可用 --timezone 另行指定。",
    },
    "note.input.zone_fallback": {
        "en": "Time zone {zone}: no IANA zone covers the district's centroid ({where}); give "
        "--timezone to choose one.",
        "zh-CN": "时区 {zone}：辖区中心点（{where}）不在任何 IANA 时区内；请用 --timezone 指定。",
    },
    "note.input.hull": {
        "en": "No boundary given: the district outline is the incidents' convex hull buffered "
        "by 250 m.",
        "zh-CN": "未提供辖区边界：以警情点的凸包外扩 250 米作为辖区范围。",
    },
    "note.input.base": {
        "en": "No stations given: one illustrative base at the centre of the district is used.",
        "zh-CN": "未提供驻地：在辖区中心设一处示意驻地。",
    },
    "note.input.no_network": {
        "en": "No street network given: travel times are straight-line estimates (distance x "
        "1.3 / speed).",
        "zh-CN": "未提供路网：通行时间按直线距离估算（距离 × 1.3 ÷ 速度）。",
    },
    # ---- sample districts (geo.sample)
    "note.sample.toronto_hours": {
        "en": "Toronto incidents are stamped with the hour; hour 0 holds some default-midnight "
        "entries in the source.",
        "zh-CN": "多伦多警情记录精确到小时；0 时段含部分源数据默认记为午夜的记录。",
    },
    "note.sample.toronto_stations": {
        "en": "Both stations are illustrative.",
        "zh-CN": "两处驻地均为示意位置。",
    },
    "note.sample.portland_dates": {
        "en": "Portland incidents carry dates only (no time of day): risk is per day, not per "
        "hour.",
        "zh-CN": "波特兰警情只有日期、没有具体时刻：风险按日测算，不按小时测算。",
    },
    "note.sample.portland_categories": {
        "en": "All four categories are present March-December 2012; from 2013 only burglary "
        "and motor vehicle theft.",
        "zh-CN": "2012 年 3 月至 12 月四类警情齐全；2013 年起只有入室盗窃和盗窃机动车。",
    },
    "note.sample.portland_population": {
        "en": "No resident population is published with the police districts.",
        "zh-CN": "警务片区未公布实有人口数据。",
    },
    "note.sample.portland_stations": {
        "en": "Only Central Precinct is a real station; Lloyd and Hawthorne bases are "
        "illustrative.",
        "zh-CN": "只有中心分局是真实驻地；Lloyd 与 Hawthorne 两处驻地为示意位置。",
    },
    "note.sample.portland_repaired": {
        "en": "Some police district polygons are self-intersecting in the source and were "
        "repaired with make_valid.",
        "zh-CN": "源数据中部分警务片区多边形自相交，已用 make_valid 修复。",
    },
    # ---- risk (geo.hotspots, geo.analysis)
    "note.risk.dated_day": {
        "en": "{n} of {total} incident(s) have a date but no time of day: they are left out of "
        "the hourly bands and counted in the full-day band 'day' (day-level risk)",
        "zh-CN": "{total} 起警情中有 {n} 起只有日期、没有具体时刻：不计入分时段风险，计入全天风险",
    },
    "note.risk.dated_spread": {
        "en": "{n} of {total} incident(s) have a date but no time of day: each counts in every "
        "band by the band's share of the day (day-level risk spread evenly over the hours)",
        "zh-CN": "{total} 起警情中有 {n} 起只有日期、没有具体时刻：按各时段占全天的比例"
        "计入每个时段（全天风险平均分摊到各小时）",
    },
    "note.risk.dated_out": {
        "en": "{n} of {total} incident(s) have a date but no time of day: they are left out of "
        "the hourly bands",
        "zh-CN": "{total} 起警情中有 {n} 起只有日期、没有具体时刻：不计入分时段风险",
    },
    "note.risk.no_cell": {
        "en": "{n} of {total} incident(s) have no cell in the grid and are left out",
        "zh-CN": "{total} 起警情中有 {n} 起不在任何网格内，未计入",
    },
    "note.risk.unknown_categories": {
        "en": "{n} incident(s) of unrecognised categories {categories} get the default weight "
        "{weight}",
        "zh-CN": "{n} 起警情的类别无法识别（{categories}），按默认权重 {weight} 计",
    },
    "note.risk.day_level": {
        "en": "No incident in the data has a time of day in {band}: the plan uses the day-level "
        "risk.",
        "zh-CN": "数据中没有落在{band}的带时刻警情：本计划使用全天风险。",
    },
    "note.risk.zero": {
        "en": "No incident falls in {band}: every hotspot score is zero.",
        "zh-CN": "{band}没有警情：所有易发部位的风险分值均为零。",
    },
    "note.risk.simple": {
        "en": "Risk in {band} uses {method} (the best simple method): {reason}.",
        "zh-CN": "{band}的风险采用 {method}（最佳简单方法）：{reason}。",
    },
    "note.risk.validated": {
        "en": "Risk in {band} uses {method}, chosen by PAI at {share} of the area on the weeks "
        "{start} to {end} (before the weeks planned, never including them): PAI {pai} "
        "[95% {low}-{high}], naive 4-week count {naive} ({ratio}x).",
        "zh-CN": "{band}的风险采用 {method}：按 {start} 至 {end} 各周（在计划周之前，不含计划周）"
        "{share} 面积上的 PAI 选出；PAI {pai}（95% 置信区间 {low}–{high}），"
        "近 4 周简单计数为 {naive}（{ratio} 倍）。",
    },
    "note.reason.too_few": {
        "en": "{n} incident(s) in the validation weeks: too few to choose",
        "zh-CN": "验证周内只有 {n} 起警情，不足以比选方法",
    },
    "note.reason.short": {"en": "history too short", "zh-CN": "历史数据太短"},
    "note.risk.dates_only": {
        "en": "no incident has a time of day: risk is per day, not per hour",
        "zh-CN": "警情均无具体时刻：风险按日测算，不按小时测算",
    },
    "note.risk.one_cell": {
        "en": (
            "Gi* significance needs at least 2 grid cells and this district has {n}: "
            "cells are ranked by risk score alone, none is marked significant"
        ),
        "zh-CN": (
            "Gi* 显著性检验至少需要 2 个网格，本辖区只有 {n} 个：网格仅按风险分值排序，均不标为显著"
        ),
    },
    "note.risk.future": {
        "en": "{n} incident(s) after the reference time are ignored",
        "zh-CN": "基准时间之后的 {n} 起警情未计入",
    },
    # ---- plan (planner)
    "note.plan.unknown_population": {
        "en": "{n} of {total} sectors have no population data and are treated as populated for "
        "the coverage floor.",
        "zh-CN": "{total} 个责任区中有 {n} 个无人口数据，按有人居住计入最低巡逻覆盖。",
    },
    "note.plan.unit_idle": {
        "en": "Unit {unit} has no duty in this plan: no candidate visit was left for it (all "
        "taken, out of reach, or beyond the search's time limit).",
        "zh-CN": "巡组 {unit} 在本计划中没有任务：已没有可分给它的候选巡逻点"
        "（均已分配、无法到达，或超出求解时限）。",
    },
    "note.plan.top_hour": {
        "en": "Hour {hour} has no presence at the top {n} hotspots: the repair found no unit "
        "that can be at one in this hour without leaving a required duty, a break or another "
        "hour's top-hotspot visit (their windows, the way there and the recovery gaps), within "
        "its search; more units or a longer --time-limit may cover it.",
        "zh-CN": "{hour} 起的一小时内，排名前 {n} 的热点均无巡逻警力到场："
        "调整后仍找不到能在该小时到达其中之一、"
        "又不耽误必保勤务、休息或其他小时热点到访（含时间窗、路程和复访间隔）的巡组；"
        "增加巡组或延长 --time-limit 可能解决。",
    },
    "note.plan.unit_early": {
        "en": "Unit {unit}'s last duty ends at {clock}, {minutes} min before its shift ends: "
        "the plan found no candidate visit left for it (all taken, out of reach, or beyond the "
        "search's time limit; a longer --time-limit may fill it).",
        "zh-CN": "巡组 {unit} 最后一项任务于 {clock} 结束，距下班还有 {minutes} 分钟："
        "已没有可分给它的候选巡逻点（均已分配、无法到达，或超出求解时限；"
        "加大 --time-limit 可能补满）。",
    },
    "note.plan.no_street_sectors": {
        "en": "{n} sector(s) have no street inside them: they keep a point visit.",
        "zh-CN": "{n} 个责任区内没有道路：仍按定点巡查安排。",
    },
    "note.plan.far_snap": {
        "en": "{n} {what}(s) lie more than {m} m from any footway (up to {km} km): they are "
        "visited at the nearest one; check that the street network file covers the whole "
        "district.",
        "zh-CN": "{n} 个{what}距最近的步行道路超过 {m} 米（最远 {km} 公里）：在最近的道路处巡查；"
        "请检查路网文件是否覆盖整个辖区。",
    },
    # ---- street network (geo.network), per mode in a plan's notes
    "note.network.streets": {
        "en": "{mode}: {travel_mode} travel times along streets of {source} ({n} nodes), points "
        "snapped to the nearest intersection",
        "zh-CN": "{mode}：按 {source} 的道路计算{travel_mode}通行时间（{n} 个节点），"
        "各点位就近吸附到路口",
    },
    "note.network.straight": {
        "en": "{mode}: no street network: {travel_mode} travel times estimated from "
        "straight-line distance × {factor} at {speed} km/h",
        "zh-CN": "{mode}：没有路网，{travel_mode}通行时间按直线距离 × {factor}、时速 {speed} 公里"
        "估算",
    },
    # ---- street network (geo.network)
    "note.network.missing_nodes": {
        "en": "{n} way-node references to nodes missing from {source} were dropped (the ways "
        "were split there)",
        "zh-CN": "{source} 中缺失节点的 {n} 处道路节点引用已删除（道路在该处断开）",
    },
    "note.network.dropped_nodes": {
        "en": "{n} of {total} {mode} network nodes lie outside the largest strongly connected "
        "component and were dropped",
        "zh-CN": "{mode}路网 {total} 个节点中有 {n} 个不在最大强连通分量内，已删除",
    },
    # ---- staffing (planner.staffing)
    "note.staff.meal_break": {
        "en": "Workload plans take each unit's {n}-minute meal break off the end of its shift "
        "(same patrol time; the route sheets of a real plan place it in the route).",
        "zh-CN": "工作量测算把每个巡组 {n} 分钟的就餐时间从班次末尾扣除"
        "（巡逻时长不变；实际计划的路线单会把它排进路线）。",
    },
    "note.staff.per_day": {
        "en": "Staggered shifts and roster use the workload's {n} people on duty per day.",
        "zh-CN": "错时班次和勤务表按工作量测算的每日在岗 {n} 人次编排。",
    },
    "note.staff.illustrative_people": {
        "en": "No people list given: the roster uses an illustrative list of {n} people named "
        "'Officer 01'.. (the fewest who can work the week at {shifts} shifts each).",
        "zh-CN": "未提供人员名单：勤务表使用 {n} 人的示意名单（“Officer 01”起编号，"
        "为每人每周 {shifts} 个班次排满一周所需的最少人数）。",
    },
    "note.staff.no_population": {
        "en": "None of the {n} areas has resident population data: no norm headcount is "
        "computed (population is not guessed); give areas with a population column.",
        "zh-CN": "{n} 个片区均无实有人口数据：不按标准测算人数（不估算人口）；"
        "请提供带人口列的片区文件。",
    },
    "note.staff.rates": {
        "en": "Norm rates: {fulltime} full-time per 1,000 residents, volunteers {share} of "
        "residents, pay {pay} {currency} per full-time member per month.",
        "zh-CN": "配置标准：每千名实有人口配专职巡防力量 {fulltime} 人，义务巡防力量占实有人口 "
        "{share}，专职人员每人每月经费 {pay} {currency}。",
    },
    "note.staff.left_out": {
        "en": "{n} area(s) with no population data, no workload and no current staff are left "
        "out of the table: {areas}",
        "zh-CN": "{n} 个片区无人口数据、无工作量、也无现有人员，未列入表中：{areas}",
    },
    "note.staff.district_workload": {
        "en": "Workload is computed for the whole district (per-area curves were not asked for); "
        "area rows show norms only.",
        "zh-CN": "工作量按全辖区测算（未要求分片区曲线）；片区各行只列按标准测算的人数。",
    },
    "note.staff.curve": {
        "en": "Curve '{fleet}' for {shift} ({scope}): each point is a plan by the routing "
        "planner ({seconds} s, seed {seed}, at most {iterations} iterations).",
        "zh-CN": "{shift}“{fleet}”覆盖曲线（{scope}）：每个点都是路线规划器的一次编排"
        "（{seconds} 秒，随机种子 {seed}，最多 {iterations} 次迭代）。",
    },
    "note.staff.nested": {
        "en": "Fleets are nested, so a larger fleet can always repeat a smaller fleet's plan; "
        "where the search found less, the curve carries the smaller fleet's values (marked "
        "carried).",
        "zh-CN": "巡组规模逐级包含，较大规模总能沿用较小规模的编排；搜索结果较差处，"
        "曲线沿用较小规模的数值（标为“沿用”）。",
    },
    "note.staff.cannot_serve": {
        "en": "Fleets of {n} unit(s) cannot serve every required task: {reason}",
        "zh-CN": "{n} 个巡组无法完成全部必巡任务：{reason}",
    },
    "note.staff.same_curve": {
        "en": "Shift {shift} is planned on the same '{risk}' risk with no timed task as shift "
        "{other}: its curve is the same.",
        "zh-CN": "{shift}与{other}使用同一风险（{risk}），且都没有限时任务：覆盖曲线相同。",
    },
    "note.staff.no_hourly": {
        "en": "No hourly risk profile exists (the incidents carry dates only, no time of day): "
        "staggered starts cannot be matched to risk, so the fixed {shifts} shifts are kept with "
        "the headcount split evenly.",
        "zh-CN": "没有分时段风险（警情只有日期、没有具体时刻）：无法按风险错时安排上班时间，"
        "保留固定班次 {shifts}，人数平均分配。",
    },
    "note.staff.rules": {
        "en": "Rules: {rest} h rest between shifts, at most {nights} nights in a row, at most "
        "{week} shifts per week, days off honoured.",
        "zh-CN": "排班规则：两班之间休息 {rest} 小时，连续夜班不超过 {nights} 个，"
        "每周不超过 {week} 个班次，保证轮休。",
    },
    "note.staff.fairness": {
        "en": "Fairness: nights differ by at most {nights} and weekend shifts by at most "
        "{weekends} between people (CP-SAT status {status}).",
        "zh-CN": "均衡性：人员之间夜班数相差不超过 {nights} 个，周末班相差不超过 {weekends} 个"
        "（CP-SAT 求解状态 {status}）。",
    },
    "note.staff.outside_areas": {
        "en": "Shift {shift}: {n} task(s) lie outside every area and count only in the district "
        "curve.",
        "zh-CN": "{shift}：{n} 项任务不在任何片区内，只计入全辖区曲线。",
    },
    "note.staff.target_missed": {
        "en": "The workload target is not reached in every shift: staggered shifts and roster "
        "use the largest fleet tried ({n} people on duty per day); give a headcount to choose.",
        "zh-CN": "并非每个班次都达到工作量目标：错时班次和勤务表按试算的最大规模"
        "（每日在岗 {n} 人次）编排；可指定人数自行选择。",
    },
    "note.staff.roster_error": {"en": "Roster: {detail}", "zh-CN": "勤务表：{detail}"},
    "note.staff.objective": {
        "en": "Objective: risk-weighted presence sum_h w_h * min(on_duty_h, need_h), w_h the "
        "hour's share of risk, need_h = ceil({n} people x {hours} h x w_h). Fixed shifts: "
        "{shifts} with the best split of the same headcount.",
        "zh-CN": "目标：按风险加权的在岗力量 sum_h w_h * min(on_duty_h, need_h)，w_h 为该小时的"
        "风险占比，need_h = ceil({n} 人 × {hours} 小时 × w_h)。固定班次：{shifts}，"
        "同样人数按最优比例分配。",
    },
    "note.staff.floor_dropped": {
        "en": "Headcount {n} cannot keep {floor} on duty round the clock: that floor is not "
        "applied.",
        "zh-CN": "{n} 人无法保证全天 24 小时至少 {floor} 人在岗：不采用该下限。",
    },
    "note.staff.proposed": {
        "en": "Proposed: {blocks}; risk-weighted presence {score} vs {fixed} (risk-weighted "
        "people on duty, capped at the need) ({share} vs {fixed_share} of the hourly need met).",
        "zh-CN": "建议班次：{blocks}；风险加权在岗力量 {score}，固定班次为 {fixed}"
        "（按风险加权的在岗人数，以需求为上限）；满足每小时需求 {share}，固定班次为 "
        "{fixed_share}。",
    },
    "note.staff.all_covered": {
        "en": "All risk is covered with {n} unit(s): larger fleets were not planned (their "
        "points carry that plan).",
        "zh-CN": "{n} 个巡组即可覆盖全部风险：更大规模未再编排（其数据点沿用该编排）。",
    },
    "note.staff.no_fleet": {
        "en": "No fleet of up to {n} units reaches the target {target} (best {best}); try more "
        "units.",
        "zh-CN": "最多 {n} 个巡组都达不到 {target} 的目标（最好为 {best}）；请增加巡组。",
    },
    "note.staff.unfair": {
        "en": "Fairness was not optimised: CP-SAT found no roster within time_limit_s={limit} "
        "with the fairness objective, so this roster keeps every rule but its spread between "
        "people is not minimised (a busy machine or a large roster); run it again, or with a "
        "longer time_limit_s, for a fairer one.",
        "zh-CN": "未做均衡优化：CP-SAT 在 time_limit_s={limit} 内未找到兼顾均衡的勤务表，"
        "本表满足全部排班规则，但人员之间的差距未压到最小（机器繁忙或名单较大）；"
        "可重新运行或加大 time_limit_s 以求更均衡。",
    },
    "note.staff.norm_missing": {
        "en": "{n} of {total} areas have no population data and get no norm (not guessed): "
        "{areas}.",
        "zh-CN": "{total} 个片区中有 {n} 个无人口数据，不按标准测算（不估算人口）：{areas}。",
    },
    "note.people": {"en": "{n} people", "zh-CN": "{n} 人"},
    "note.currency.yuan": {"en": "yuan", "zh-CN": "元"},
    "note.scope.all": {"en": "all", "zh-CN": "全辖区"},
    "note.what.hotspot or sector point": {
        "en": "hotspot or sector point",
        "zh-CN": "易发部位或责任区点位",
    },
    "note.staff.no_areas": {
        "en": "No areas given: no staffing norm can be computed.",
        "zh-CN": "未提供片区：无法按标准测算巡防力量。",
    },
    "note.staff.rates_differ": {
        "en": "Norm rates differ by area type or jurisdiction (see each area's rates).",
        "zh-CN": "配置标准因片区类型或管辖单位而异（见各片区的标准）。",
    },
    # ---- job errors (api.service.jobrun), shown on the web pages
    "note.error.interrupted": {
        "en": "interrupted by a service restart",
        "zh-CN": "服务重启，任务中断；请重新提交",
    },
    "note.error.internal": {
        "en": "internal error: {kind}: {detail}",
        "zh-CN": "系统内部错误（{kind}）：{detail}",
    },
    "note.error.gone": {
        "en": "dataset {dataset} or its area no longer exists",
        "zh-CN": "数据集 {dataset} 或其所属辖区已不存在",
    },
    "note.error.validation": {
        "en": "{n} validation error(s) for {model}: {errors}",
        "zh-CN": "{n} 项参数有误（{model}）：{errors}",
    },
    "note.error.validation_item": {
        "en": "{field}: {message} (got {value})",
        "zh-CN": "{field}：{message}（输入值 {value}）",
    },
    "note.pyd.ge": {
        "en": "Input should be greater than or equal to {limit}",
        "zh-CN": "应大于或等于 {limit}",
    },
    "note.pyd.le": {
        "en": "Input should be less than or equal to {limit}",
        "zh-CN": "应小于或等于 {limit}",
    },
    "note.pyd.gt": {"en": "Input should be greater than {limit}", "zh-CN": "应大于 {limit}"},
    "note.pyd.lt": {"en": "Input should be less than {limit}", "zh-CN": "应小于 {limit}"},
    "note.pyd.missing": {"en": "Field required", "zh-CN": "必填"},
    "note.pyd.int": {"en": "Input should be a valid integer", "zh-CN": "应为整数"},
    "note.pyd.int_text": {
        "en": "Input should be a valid integer, unable to parse string as an integer",
        "zh-CN": "应为整数（无法把文字解析为整数）",
    },
    "note.pyd.number": {"en": "Input should be a valid number", "zh-CN": "应为数字"},
    "note.pyd.number_text": {
        "en": "Input should be a valid number, unable to parse string as a number",
        "zh-CN": "应为数字（无法把文字解析为数字）",
    },
    "note.pyd.extra": {"en": "Extra inputs are not permitted", "zh-CN": "不接受多余的字段"},
    "note.error.file_not_found": {"en": "file not found: {path}", "zh-CN": "找不到文件：{path}"},
    "note.error.positive_metres": {
        "en": "{field} must be a positive number of metres, got {value}",
        "zh-CN": "{field} 应为正的米数，实际为 {value}",
    },
    "note.error.metres": {
        "en": "{field} must be a number of metres, got {value}",
        "zh-CN": "{field} 应为以米为单位的数字，实际为 {value}",
    },
}


def _pattern(key: str) -> re.Pattern[str]:
    """The regular expression of a key's English text: its fields match anything (lazily),
    the rest literally."""
    parts = re.split(r"(\{[a-z_]+\})", TEXTS[key]["en"])
    body = "".join(
        f"(?P<{p[1:-1]}>.+?)" if p.startswith("{") and p.endswith("}") else re.escape(p)
        for p in parts
    )
    return re.compile(f"^{body}$", re.DOTALL)


#: English note -> key: the fields of the match fill the key's text in the reader's language.
PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (key, _pattern(key)) for key in TEXTS
)

#: Fields that hold a sentence of their own, translated by the same patterns.
NESTED: Final = frozenset({"reason"})
