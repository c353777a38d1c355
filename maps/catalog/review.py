"""Labels of the review cycle: planned against actual (计划执行点评) and the monthly evaluation
(每月考评), in English and Simplified Chinese."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # ---- plan review
    "review.plan.title": {
        "en": "Plan review: {district}",
        "zh-CN": "巡逻计划执行点评：{district}",
    },
    "review.plan.subtitle": {
        "en": "Shift {band} on {date}: the plan against the units' GPS tracks",
        "zh-CN": "{date} {band} 班次：计划与巡组GPS轨迹比对",
    },
    "review.plan.summary": {
        "en": "{visited} of {planned} planned stops visited ({share}); {delivered} of the "
        "planned presence delivered.",
        "zh-CN": "计划巡逻点{planned}个，实到{visited}个（{share}）；计划见警时长完成{delivered}。",
    },
    "review.plan.units": {"en": "Units", "zh-CN": "各巡组执行情况"},
    "review.plan.stops": {"en": "Stops: {unit}", "zh-CN": "巡逻点：{unit}"},
    "review.plan.missed": {"en": "Missed stops", "zh-CN": "漏巡点位"},
    "review.plan.posts": {"en": "Posts held", "zh-CN": "定点值守情况"},
    "review.plan.presence": {
        "en": "Presence by cell and hour (见警率): top cells by risk",
        "zh-CN": "分网格分时段见警情况（按风险排序）",
    },
    "review.plan.fixes": {
        "en": "{kept} GPS fixes used; {rejected} kept out ({reasons}).",
        "zh-CN": "采用GPS定位点{kept}个；剔除{rejected}个（{reasons}）。",
    },
    "review.plan.no_missed": {"en": "No stop was missed.", "zh-CN": "无漏巡点位。"},
    "review.plan.notes": {"en": "Notes", "zh-CN": "说明"},
    "review.plan.map_caption": {
        "en": "Planned routes (dashed) and actual tracks (solid); missed stops are crossed.",
        "zh-CN": "计划路线（虚线）与实际轨迹（实线）；×为漏巡点位。",
    },
    "review.col.unit": {"en": "Unit", "zh-CN": "巡组"},
    "review.col.mode": {"en": "Mode", "zh-CN": "巡逻方式"},
    "review.col.stops_planned": {"en": "Stops planned", "zh-CN": "计划点位"},
    "review.col.stops_visited": {"en": "Visited", "zh-CN": "实到点位"},
    "review.col.share_visited": {"en": "Done", "zh-CN": "到位率"},
    "review.col.planned_min": {"en": "Planned presence", "zh-CN": "计划见警时长"},
    "review.col.actual_min": {"en": "Actual presence", "zh-CN": "实际见警时长"},
    "review.col.delivered": {"en": "Presence delivered", "zh-CN": "见警完成率"},
    "review.col.distance": {"en": "Distance", "zh-CN": "巡逻里程"},
    "review.col.order": {"en": "No.", "zh-CN": "序号"},
    "review.col.place": {"en": "Place", "zh-CN": "点位"},
    "review.col.kind": {"en": "Duty", "zh-CN": "任务类型"},
    "review.col.planned_arrive": {"en": "Planned arrival", "zh-CN": "计划到达"},
    "review.col.arrive": {"en": "Arrived", "zh-CN": "实际到达"},
    "review.col.delay": {"en": "Delay", "zh-CN": "迟到"},
    "review.col.planned_dwell": {"en": "Planned stay", "zh-CN": "计划停留"},
    "review.col.dwell": {"en": "Stayed", "zh-CN": "实际停留"},
    "review.col.koper": {"en": "10–15 min band", "zh-CN": "10–15分钟区间"},
    "review.col.visited": {"en": "Visited", "zh-CN": "是否到位"},
    "review.col.evidence": {"en": "Shown by", "zh-CN": "依据"},
    "review.col.held": {"en": "Held", "zh-CN": "实际值守"},
    "review.col.share_held": {"en": "Share held", "zh-CN": "值守完成率"},
    "review.col.cell": {"en": "Cell", "zh-CN": "网格"},
    "review.col.hour": {"en": "Hour", "zh-CN": "时段"},
    "review.col.risk": {"en": "Risk", "zh-CN": "风险分值"},
    "review.dwell.short": {"en": "too short", "zh-CN": "偏短"},
    "review.dwell.in_band": {"en": "in band", "zh-CN": "适中"},
    "review.dwell.long": {"en": "longer", "zh-CN": "偏长"},
    "review.walk.share": {"en": "walked {share}", "zh-CN": "巡走{share}"},
    "review.evidence.track": {"en": "GPS track", "zh-CN": "GPS轨迹"},
    "review.evidence.checkin": {"en": "check-in", "zh-CN": "巡更打卡"},
    "review.kind.hotspot": {"en": "hotspot", "zh-CN": "易发部位"},
    "review.kind.post": {"en": "post", "zh-CN": "定点值守"},
    "review.kind.line": {"en": "line", "zh-CN": "巡逻线"},
    "review.kind.area": {"en": "sector", "zh-CN": "片区巡查"},
    "review.legend.planned": {"en": "planned", "zh-CN": "计划路线"},
    "review.legend.actual": {"en": "actual", "zh-CN": "实际轨迹"},
    "review.legend.missed": {"en": "missed stop", "zh-CN": "漏巡点位"},
    "review.reason.jump": {"en": "jumps", "zh-CN": "漂移"},
    "review.reason.duplicate": {"en": "duplicates", "zh-CN": "重复"},
    "review.reason.outside": {"en": "outside the district", "zh-CN": "超出辖区"},
    # ---- monthly evaluation
    "review.month.title": {
        "en": "Monthly evaluation {month}: key cases by area",
        "zh-CN": "{month} 每月考评：各片区重点案件",
    },
    "review.month.subtitle": {
        "en": "{district}; categories: {categories}; ranked by the rise {basis}",
        "zh-CN": "{district}；案件类别：{categories}；按{basis}上升幅度排名",
    },
    "review.month.basis.yoy": {
        "en": "against the same month last year (同比)",
        "zh-CN": "同比",
    },
    "review.month.basis.mom": {
        "en": "against the previous month (环比)",
        "zh-CN": "环比",
    },
    "review.month.all_categories": {"en": "all", "zh-CN": "全部类别"},
    "review.month.bulletin": {
        "en": "Named in the monthly bulletin: {areas}",
        "zh-CN": "本月通报：{areas}",
    },
    "review.month.no_bulletin": {
        "en": "No area rose this month: nobody is named in the bulletin.",
        "zh-CN": "本月无片区上升，不予通报。",
    },
    "review.month.quarter": {"en": "Quarter to date ({months})", "zh-CN": "本季度累计（{months}）"},
    "review.month.year": {"en": "Year to date ({months})", "zh-CN": "本年度累计（{months}）"},
    "review.month.map_caption": {
        "en": "Change {basis} by area: red rose, green fell; thick outline: named in the bulletin.",
        "zh-CN": "各片区{basis}变化：红色上升，绿色下降；粗边框为本月通报片区。",
    },
    "review.month.too_few": {
        "en": "too few incidents",
        "zh-CN": "案件过少，不排名",
    },
    "review.month.reward": {
        "en": "reward: down {pct:.0f} % or more",
        "zh-CN": "奖励：下降{pct:.0f}%以上",
    },
    "review.col.area": {"en": "Area", "zh-CN": "片区"},
    "review.col.leader": {"en": "Responsible", "zh-CN": "责任人"},
    "review.col.count": {"en": "This month", "zh-CN": "本月"},
    "review.col.count_last_month": {"en": "Last month", "zh-CN": "上月"},
    "review.col.count_last_year": {"en": "A year ago", "zh-CN": "去年同月"},
    "review.col.change": {"en": "Change", "zh-CN": "增减"},
    "review.col.change_pct": {"en": "Change %", "zh-CN": "增减幅度"},
    "review.col.rank": {"en": "Rank", "zh-CN": "排名"},
    "review.col.flags": {"en": "Flags", "zh-CN": "处置"},
    "review.col.reward": {"en": "Reward", "zh-CN": "奖励"},
    "review.col.period": {"en": "Period", "zh-CN": "期间"},
    "review.col.period_count": {"en": "Cases", "zh-CN": "案件数"},
    "review.col.period_last_year": {"en": "A year before", "zh-CN": "去年同期"},
    "review.col.notices": {"en": "Months in bulletin", "zh-CN": "通报次数"},
    "review.flag.notice": {"en": "bulletin", "zh-CN": "通报"},
    "review.flag.rectify": {"en": "deadline to fix", "zh-CN": "限期整改"},
    "review.flag.yellow_card": {"en": "yellow card", "zh-CN": "黄牌警告"},
    # ---- weekly review pack
    "review.week.title": {
        "en": "Weekly review {week}: {district}",
        "zh-CN": "{week} 每周点评：{district}",
    },
    "review.week.subtitle": {
        "en": "Against the previous week ({previous}) and the same week last year ({year})",
        "zh-CN": "与上周（{previous}）及去年同周（{year}）对比",
    },
    "review.week.incidents": {"en": "Incidents by area", "zh-CN": "各片区警情"},
    "review.week.plans": {
        "en": "Plans of the week against the tracks",
        "zh-CN": "本周巡逻计划执行情况",
    },
    "review.week.dropped": {"en": "Tasks not planned, and why", "zh-CN": "未安排的任务及原因"},
    "review.week.hotspot.new": {"en": "new hotspot", "zh-CN": "新增热点"},
    "review.week.hotspot.persisting": {"en": "persisting hotspot", "zh-CN": "持续热点"},
    "review.week.col.area": {"en": "Area", "zh-CN": "片区"},
    "review.week.col.week": {"en": "This week", "zh-CN": "本周"},
    "review.week.col.last_week": {"en": "Last week", "zh-CN": "上周"},
    "review.week.col.change_week": {"en": "Change", "zh-CN": "环比增减"},
    "review.week.col.last_year": {"en": "A year ago", "zh-CN": "去年同周"},
    "review.week.col.change_year": {"en": "Change", "zh-CN": "同比增减"},
    "review.week.col.hotspot": {"en": "Hotspot", "zh-CN": "热点"},
    "review.week.col.date": {"en": "Date", "zh-CN": "日期"},
    "review.week.col.shift": {"en": "Shift", "zh-CN": "班次"},
    "review.week.col.stops": {"en": "Stops visited", "zh-CN": "到位点位"},
    "review.week.col.done": {"en": "Done", "zh-CN": "到位率"},
    "review.week.col.delivered": {"en": "Presence delivered", "zh-CN": "见警完成率"},
    "review.week.col.reason": {"en": "Why", "zh-CN": "原因"},
    "review.changes.title": {
        "en": "Changes since the plan of {date}",
        "zh-CN": "较{date}计划的调整",
    },
    "review.changes.summary": {
        "en": "{entered} hotspot(s) entered the plan, {left} left it, {kept} kept; {gaining} "
        "cell(s) gain presence, {losing} lose presence; {added} duty(ies) added, {dropped} "
        "dropped.",
        "zh-CN": "新增热点{entered}处、撤出{left}处、保留{kept}处；见警时长增加的网格{gaining}个、"
        "减少的{losing}个；新增勤务{added}项、取消{dropped}项。",
    },
    "review.changes.hotspots_entered": {
        "en": "New hotspots: {places}.",
        "zh-CN": "新增热点：{places}。",
    },
    "review.changes.hotspots_left": {
        "en": "Hotspots no longer planned: {places}.",
        "zh-CN": "撤出热点：{places}。",
    },
    "review.changes.cells_gaining": {
        "en": "Most presence gained: {cells}.",
        "zh-CN": "见警时长增加最多：{cells}。",
    },
    "review.changes.cells_losing": {
        "en": "Most presence lost: {cells}.",
        "zh-CN": "见警时长减少最多：{cells}。",
    },
    "review.changes.cell": {
        "en": "{place} {change} min (now {now} min)",
        "zh-CN": "{place} {change}分钟（现{now}分钟）",
    },
    "review.changes.duties_added": {
        "en": "Duties added: {duties}.",
        "zh-CN": "新增勤务：{duties}。",
    },
    "review.changes.duties_dropped": {
        "en": "Duties dropped: {duties}.",
        "zh-CN": "取消勤务：{duties}。",
    },
    "review.changes.sep": {"en": ", ", "zh-CN": "、"},
    "review.changes.more": {"en": " and {n} more", "zh-CN": "等，另有{n}处"},
    "review.week.cells": {
        "en": "New and persisting hotspot cells",
        "zh-CN": "新增及持续热点网格",
    },
    "review.week.no_cells": {
        "en": "No cell had {n} or more incidents this week or last week.",
        "zh-CN": "本周及上周均无发案{n}起以上的网格。",
    },
    "review.week.hotspot.ended": {"en": "no longer a hotspot", "zh-CN": "已退出热点"},
    "review.week.col.place": {"en": "Place", "zh-CN": "位置"},
    "review.week.col.cell": {"en": "Cell", "zh-CN": "网格"},
    "review.week.timezone": {
        "en": "Weeks counted in local time, {zone}.",
        "zh-CN": "按当地时间（{zone}）统计。",
    },
}
