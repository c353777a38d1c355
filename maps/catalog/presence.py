"""Labels of the presence (见警率) report: the route-sheet summary page and the map layer."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # ---- route-sheet summary page (maps.sheets.presence)
    "presence.sheet.heading": {"en": "Presence summary", "zh-CN": "见警率汇总"},
    "presence.sheet.title": {
        "en": "Patrol presence by hour (visibility)",
        "zh-CN": "分时段见警率",
    },
    "presence.sheet.value": {
        "en": "Presence value {value} of at most {bound} (an upper bound on any plan): "
        "{ratio} of the bound.",
        "zh-CN": "见警价值 {value}，理论上界 {bound}（任何方案都不可能超过）：达到上界的 {ratio}。",
    },
    "presence.sheet.risk_share": {
        "en": "Hourly risk with a full visit (at least {dwell} min): {share}.",
        "zh-CN": "分时段风险中有完整到访（不少于 {dwell} 分钟）的占比：{share}。",
    },
    "presence.sheet.gini": {
        "en": "Spread of presence: Gini {risk} against risk, {population} against population "
        "(0: presence follows it exactly).",
        "zh-CN": "见警分布：相对风险的基尼系数 {risk}，相对人口 {population}（0 表示完全相符）。",
    },
    "presence.sheet.unvisited": {
        "en": "Populated cells without presence: {cells}.",
        "zh-CN": "无巡逻见警的有人口网格：{cells}。",
    },
    "presence.sheet.night": {
        "en": "Night hours (22:00–06:00): {minutes} min of presence; {share} of night risk "
        "with a full visit.",
        "zh-CN": "夜间（22:00–06:00）：见警 {minutes} 分钟；夜间风险完整到访占比 {share}。",
    },
    "presence.sheet.no_night": {
        "en": "The shift has no night hours (22:00–06:00).",
        "zh-CN": "本班次不含夜间时段（22:00–06:00）。",
    },
    "presence.sheet.none": {"en": "none", "zh-CN": "无"},
    "presence.sheet.units_title": {"en": "Units on patrol", "zh-CN": "各巡组在巡情况"},
    "presence.sheet.hours_title": {"en": "Presence per hour", "zh-CN": "各时段见警"},
    "presence.sheet.areas_title": {"en": "Presence per area", "zh-CN": "各片区见警"},
    "presence.col.hour": {"en": "Hour", "zh-CN": "时段"},
    "presence.col.minutes": {"en": "Presence (min)", "zh-CN": "见警（分钟）"},
    "presence.col.cells": {"en": "Cells", "zh-CN": "网格数"},
    "presence.col.top": {"en": "Top {n} hotspots present", "zh-CN": "前 {n} 个热点有警数"},
    "presence.col.unit": {"en": "Unit", "zh-CN": "巡组"},
    "presence.col.patrol": {"en": "On patrol", "zh-CN": "在巡率"},
    "presence.col.presence_share": {"en": "At places / walks", "zh-CN": "驻点及步巡占比"},
    "presence.col.last": {"en": "Last duty ends", "zh-CN": "末项勤务结束"},
    "presence.col.area": {"en": "Area", "zh-CN": "片区"},
    # ---- map layer (maps.layers.presence)
    "presence.layer.name": {"en": "Presence by hour (visibility)", "zh-CN": "分时段见警率"},
    "presence.layer.tooltip": {
        "en": "{cell}: {minutes} min of patrol presence at {hour}",
        "zh-CN": "{cell}：{hour} 见警 {minutes} 分钟",
    },
    "presence.legend.title": {
        "en": "Presence in the hour on the player (min)",
        "zh-CN": "播放时段内见警（分钟）",
    },
    "presence.legend.none": {"en": "no presence", "zh-CN": "无见警"},
}
