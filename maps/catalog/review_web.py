"""Labels of the review web pages (plan review, monthly ranking), in English and Simplified
Chinese. The report labels themselves are in :mod:`maps.catalog.review`."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "web.review.plan_title": {
        "en": "Plan review: plan {id}",
        "zh-CN": "巡逻计划执行点评：计划 {id}",
    },
    "web.review.back_plan": {"en": "Back to plan {id}", "zh-CN": "返回计划 {id}"},
    "web.review.link": {"en": "Review against GPS tracks", "zh-CN": "对照GPS轨迹点评执行情况"},
    "web.review.monthly_link": {
        "en": "Monthly ranking (每月考评)",
        "zh-CN": "每月考评排名",
    },
    "web.review.summary": {
        "en": "{visited} of {planned} planned stops visited ({share}).",
        "zh-CN": "计划巡逻点{planned}个，实到{visited}个（{share}）。",
    },
    "web.review.no_tracks": {
        "en": "No GPS tracks have been uploaded for this day of the plan yet.",
        "zh-CN": "本计划当日尚未上传GPS轨迹。",
    },
    "web.review.upload": {"en": "Upload GPS tracks", "zh-CN": "上传GPS轨迹"},
    "web.review.upload_hint": {
        "en": "GPX 1.1 (one track per unit, named by its unit id) or a CSV of fixes "
        "(unit_id, time, lat, lon).",
        "zh-CN": "GPS轨迹文件（每个巡组一条轨迹，以巡组编号命名），"
        "或定位点CSV（巡组编号、时间、纬度、经度）。",
    },
    "web.review.unit_map": {
        "en": "Track names to unit ids (e.g. GPS-07=C1)",
        "zh-CN": "轨迹名称对应巡组编号（轨迹名=巡组编号，多个用逗号分隔）",
    },
    "web.review.send": {"en": "Upload", "zh-CN": "上传"},
    "web.review.uploaded": {
        "en": "{file}: {fixes} GPS fixes read, {kept_out} kept out.",
        "zh-CN": "{file}：读取定位点{fixes}个，剔除{kept_out}个。",
    },
    "web.review.kept_out": {"en": "Fixes kept out", "zh-CN": "剔除的定位点"},
    "web.review.col.file": {"en": "File", "zh-CN": "文件"},
    "web.review.col.row": {"en": "Row", "zh-CN": "行号"},
    "web.review.col.reason": {"en": "Reason", "zh-CN": "原因"},
    "web.review.yes": {"en": "yes", "zh-CN": "是"},
    "web.review.no": {"en": "no", "zh-CN": "否"},
    "web.review.downloads": {"en": "Reports", "zh-CN": "点评报告"},
    "web.review.month_title": {
        "en": "Monthly ranking: {area}, {month}",
        "zh-CN": "每月考评排名：{area}，{month}",
    },
    "web.review.month": {"en": "Month", "zh-CN": "月份"},
    "web.review.basis": {"en": "Ranked by", "zh-CN": "排名依据"},
    "web.review.basis.yoy": {"en": "year on year (同比)", "zh-CN": "同比"},
    "web.review.basis.mom": {"en": "month on month (环比)", "zh-CN": "环比"},
    "web.review.show": {"en": "Show", "zh-CN": "查看"},
    "web.review.back_area": {"en": "Back to {area}", "zh-CN": "返回{area}"},
}
