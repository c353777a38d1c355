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
    # ---- the weekly pack, remembered months and report jobs (rweb.*)
    "rweb.week.link": {"en": "Weekly review", "zh-CN": "每周点评"},
    "rweb.week.title": {
        "en": "Weekly review: {area}, {week}",
        "zh-CN": "每周点评：{area}，{week}",
    },
    "rweb.week.week": {"en": "ISO week", "zh-CN": "周次"},
    "rweb.week.presence": {
        "en": "Presence by area (minutes)",
        "zh-CN": "各片区见警时长（分钟）",
    },
    "rweb.week.outside": {"en": "outside the areas", "zh-CN": "片区以外"},
    "rweb.week.units": {"en": "Units over the week", "zh-CN": "各巡组本周执行情况"},
    "rweb.week.no_plans": {
        "en": "No plan of this week has GPS tracks or check-ins yet: the pack shows the "
        "incidents only. Upload tracks on a plan's review page.",
        "zh-CN": "本周尚无上传GPS轨迹或巡更打卡记录的巡逻计划，点评仅含警情。"
        "请在计划点评页面上传轨迹。",
    },
    "rweb.month.record": {"en": "Record this month", "zh-CN": "存档本月考评结果"},
    "rweb.month.record_hint": {
        "en": "Later months' flags escalate from the recorded bulletins "
        "(bulletin → deadline to fix → yellow card); recording a month again replaces it.",
        "zh-CN": "后续月份依据已存档的通报逐级升级（通报→限期整改→黄牌警告）；"
        "同一月份重复存档将覆盖原结果。",
    },
    "rweb.month.recorded": {
        "en": "{month} recorded: later months' flags count it.",
        "zh-CN": "{month} 考评结果已存档，后续月份的处置将据此累计。",
    },
    "rweb.month.history": {"en": "Recorded months", "zh-CN": "已存档的考评月份"},
    "rweb.month.bulletin": {"en": "Named in the bulletin", "zh-CN": "通报片区"},
    "rweb.month.no_history": {
        "en": "No month recorded yet: flags are worked out from the incidents alone.",
        "zh-CN": "尚无存档月份，处置仅依据警情数据推算。",
    },
    "rweb.month.bad_form": {
        "en": "The form cannot be used: check {fields}.",
        "zh-CN": "表单内容有误，请检查：{fields}。",
    },
    "rweb.job.start": {
        "en": "Make the PDF and XLSX reports in the background",
        "zh-CN": "后台生成PDF及XLSX报告",
    },
    "rweb.job.hint": {
        "en": "For large inputs: the page shows the progress and the downloads.",
        "zh-CN": "适用于数据量较大的情形，页面将显示进度并提供下载。",
    },
    "rweb.job.title": {"en": "Review report {id}", "zh-CN": "点评报告 {id}"},
    "rweb.job.kind.plan": {"en": "Plan review", "zh-CN": "巡逻计划执行点评"},
    "rweb.job.kind.weekly": {"en": "Weekly review", "zh-CN": "每周点评"},
    "rweb.job.kind.monthly": {"en": "Monthly evaluation", "zh-CN": "每月考评"},
    "rweb.job.bad_form": {
        "en": "The report cannot be made: check {fields}.",
        "zh-CN": "无法生成报告，请检查：{fields}。",
    },
    "rweb.checkins.upload": {"en": "Upload check-ins (巡更)", "zh-CN": "上传巡更打卡记录"},
    "rweb.checkins.hint": {
        "en": "A table of unit, checkpoint or post id and time: a stop no track shows is "
        "counted visited when its unit checked in there within its window.",
        "zh-CN": "表格需含巡组、巡更点（或岗点）编号及打卡时间；轨迹未显示到位的点位，"
        "若该巡组在时段内于该点打卡，即计为到位。",
    },
    "rweb.checkins.columns": {
        "en": "Columns (if not found by name)",
        "zh-CN": "列名对应（无法自动识别时填写）",
    },
    "rweb.checkins.uploaded": {
        "en": "{file}: {read} check-ins read; {by_checkin} stops shown visited by a check-in.",
        "zh-CN": "{file}：读取打卡记录{read}条，其中{by_checkin}个点位依据打卡计为到位。",
    },
    "rweb.checkins.unknown": {
        "en": "Units not in the plan: {units}.",
        "zh-CN": "以下巡组不在本计划中：{units}。",
    },
    "rweb.lang.en": {"en": "English", "zh-CN": "英文"},
    "rweb.lang.zh-CN": {"en": "Chinese", "zh-CN": "中文"},
    # progress messages of review report jobs (shown through maps.i18n.job_message)
    "job.Counting the incidents": {"en": "Counting the incidents", "zh-CN": "正在统计警情"},
    "job.Reviewing the tracks": {"en": "Reviewing the tracks", "zh-CN": "正在比对巡逻轨迹"},
    "job.Evaluating the month": {"en": "Evaluating the month", "zh-CN": "正在进行月度考评"},
    "job.Report done": {"en": "Report done", "zh-CN": "报告已生成"},
}
