"""Texts of the remaining commands of the command line (``demo``, ``hotspots``, ``validate``,
``batch``, ``cache``): headings, summaries, progress and errors (``--lang`` /
``GRIDPATROL_LANG``). Ids, numbers, paths and option names are fields and stay as they are."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # ---- gridpatrol demo
    "cli2.demo.loading": {
        "en": "Loading sample district {sample}",
        "zh-CN": "正在载入示例辖区 {sample}",
    },
    "cli2.demo.staffing": {"en": "Staffing proposal", "zh-CN": "正在测算巡防力量配置"},
    "cli2.demo.writing": {"en": "Writing outputs", "zh-CN": "正在写出文件"},
    "cli2.demo.review": {
        "en": "Review: simulated tracks, monthly evaluation",
        "zh-CN": "正在复盘：模拟轨迹、月度评估",
    },
    "cli2.done": {"en": "Done", "zh-CN": "完成"},
    "cli2.demo.district": {
        "en": "{district}: {incidents:,} incidents, {cells:,} cells of {size:g} m",
        "zh-CN": "{district}：警情 {incidents:,} 起，网格 {cells:,} 个（边长 {size:g} 米）",
    },
    "cli2.demo.shift": {
        "en": "Shift {shift} on {date}: {units} units, {stops} stops, {share:.1%} of the risk "
        "value covered, {dropped} task(s) not done (planned in {seconds:.1f} s)",
        "zh-CN": "{date} {shift}：巡组 {units} 个，点位 {stops} 个，风险覆盖 {share:.1%}，"
        "未完成任务 {dropped} 项（编排用时 {seconds:.1f} 秒）",
    },
    "cli2.demo.outputs": {
        "en": "Outputs (in {s:.0f} s):",
        "zh-CN": "输出文件（用时 {s:.0f} 秒）：",
    },
    # names of the demo's outputs (the JSON summary keeps the English names)
    "cli2.out.grid": {"en": "grid", "zh-CN": "网格"},
    "cli2.out.hotspots": {"en": "hotspots", "zh-CN": "热点表"},
    "cli2.out.map": {"en": "map ({lang})", "zh-CN": "巡逻图（{lang}）"},
    "cli2.out.sheets": {"en": "route sheets {fmt} ({lang})", "zh-CN": "巡逻路线单 {fmt}（{lang}）"},
    "cli2.out.routes": {"en": "routes {fmt}", "zh-CN": "巡逻路线 {fmt}"},
    "cli2.out.staffing csv": {"en": "staffing csv", "zh-CN": "力量配置表 csv"},
    "cli2.out.curves png": {"en": "curves png", "zh-CN": "覆盖曲线图 png"},
    "cli2.out.staffing pdf en": {"en": "staffing pdf en", "zh-CN": "力量配置报告 pdf（英文）"},
    "cli2.out.roster xlsx": {"en": "roster xlsx", "zh-CN": "勤务表 xlsx"},
    "cli2.out.tracks": {"en": "simulated tracks {what}", "zh-CN": "模拟轨迹 {what}"},
    "cli2.out.plan_review": {"en": "plan review {what}", "zh-CN": "计划执行复盘 {what}"},
    "cli2.out.monthly": {"en": "monthly {month} {what}", "zh-CN": "{month} 月度评估 {what}"},
    "cli2.out.map_review": {"en": "map", "zh-CN": "地图 png"},
    "cli2.out.summary": {"en": "summary", "zh-CN": "汇总"},
    "cli2.lang.en": {"en": "en", "zh-CN": "英文"},
    "cli2.lang.zh-CN": {"en": "zh-CN", "zh-CN": "中文"},
    # ---- gridpatrol hotspots / evaluate
    "cli2.hot.analysing": {"en": "Analysing", "zh-CN": "正在分析"},
    "cli2.hot.idle_bands": {
        "en": "Bands without any risk, not listed: {bands} (no incident has a time of day in "
        "them); --band shows one anyway.",
        "zh-CN": "以下时段没有任何风险，未列出：{bands}（没有警情落在这些时段的具体时刻）；"
        "如需查看可用 --band 指定。",
    },
    "cli2.hot.outputs": {
        "en": "Outputs:\n  csv      {csv}\n  geojson  {geojson}",
        "zh-CN": "输出文件：\n  csv      {csv}\n  geojson  {geojson}",
    },
    "cli2.hot.error.top": {
        "en": "--top: expected at least 1, got {top}",
        "zh-CN": "--top：应不小于 1，实际为 {top}",
    },
    "cli2.hot.error.band": {
        "en": "--band: unknown band {band!r}; expected one of {bands} or 'all'",
        "zh-CN": "--band：未知时段 {band!r}；应为 {bands} 之一或 'all'",
    },
    # ---- gridpatrol validate
    "cli2.val.usable": {"en": "usable", "zh-CN": "可用"},
    "cli2.val.not_usable": {"en": "not usable", "zh-CN": "不可用"},
    "cli2.val.kind.incidents": {"en": "incidents", "zh-CN": "警情"},
    "cli2.val.kind.stations": {"en": "stations", "zh-CN": "驻地"},
    "cli2.val.kind.areas": {"en": "areas", "zh-CN": "片区"},
    "cli2.val.kind.boundary": {"en": "boundary", "zh-CN": "辖区边界"},
    "cli2.val.kind.network": {"en": "network", "zh-CN": "路网"},
    "cli2.val.kind.units": {"en": "units", "zh-CN": "巡组"},
    "cli2.val.kind.duties": {"en": "duties", "zh-CN": "勤务任务"},
    "cli2.val.features": {"en": "features", "zh-CN": "要素数"},
    "cli2.val.edges": {"en": "edges (all modes)", "zh-CN": "路段数（各巡逻方式合计）"},
    "cli2.val.rows": {"en": "rows", "zh-CN": "行数"},
    "cli2.val.left_out": {"en": "left out", "zh-CN": "已剔除"},
    "cli2.val.left_out_value": {
        "en": "{n:,} row(s), written to {path}",
        "zh-CN": "{n:,} 行，已写入 {path}",
    },
    "cli2.val.network": {"en": "{mode} network", "zh-CN": "{mode}路网"},
    "cli2.val.network_value": {
        "en": "{nodes:,} nodes, {edges:,} edges",
        "zh-CN": "节点 {nodes:,} 个，路段 {edges:,} 条",
    },
    "cli2.val.time_span": {"en": "time span", "zh-CN": "时间跨度"},
    "cli2.val.to": {"en": " to ", "zh-CN": " 至 "},
    "cli2.val.time_known": {"en": "with time of day", "zh-CN": "有具体时刻的占比"},
    "cli2.val.categories": {"en": "categories", "zh-CN": "警情类别"},
    "cli2.val.extent": {"en": "extent (lon/lat)", "zh-CN": "范围（经度/纬度）"},
    "cli2.val.crs": {"en": "CRS", "zh-CN": "坐标系"},
    "cli2.val.warning": {"en": "warning:", "zh-CN": "提示："},
    "cli2.val.coverage": {
        "en": "coverage: {n} overlap(s) or gap(s)",
        "zh-CN": "覆盖检查：{n} 处重叠或缝隙",
    },
    "cli2.val.problems": {"en": "{n} problem(s):", "zh-CN": "{n} 个问题："},
    "cli2.val.more": {"en": "... and {n} more", "zh-CN": "……另有 {n} 个"},
    # ---- gridpatrol batch
    "cli2.batch.progress": {"en": "Planning {n} job(s)", "zh-CN": "正在编排 {n} 项任务"},
    "cli2.batch.status.done": {"en": "done", "zh-CN": "已完成"},
    "cli2.batch.status.skipped": {"en": "skipped", "zh-CN": "已跳过"},
    "cli2.batch.status.failed": {"en": "failed", "zh-CN": "失败"},
    "cli2.batch.summary": {
        "en": "{done} planned, {skipped} already complete, {failed} failed in {s:.1f} s; "
        "summary: {path}",
        "zh-CN": "已编排 {done} 项，此前已完成 {skipped} 项，失败 {failed} 项，用时 {s:.1f} 秒；"
        "汇总：{path}",
    },
    "cli2.batch.error.manifest": {
        "en": "manifest: file not found: {path}",
        "zh-CN": "任务清单：找不到文件：{path}",
    },
    # ---- gridpatrol cache
    "cli2.cache.info": {
        "en": "Network cache: {directory}: {entries} network(s), {mb:.1f} MB",
        "zh-CN": "路网缓存：{directory}：共 {entries} 个路网，{mb:.1f} MB",
    },
    "cli2.cache.col.mode": {"en": "mode", "zh-CN": "巡逻方式"},
    "cli2.cache.col.source": {"en": "source", "zh-CN": "来源文件"},
    "cli2.cache.col.nodes": {"en": "nodes", "zh-CN": "节点"},
    "cli2.cache.col.edges": {"en": "edges", "zh-CN": "路段"},
    "cli2.cache.col.mb": {"en": "MB", "zh-CN": "MB"},
    "cli2.cache.col.written": {"en": "written (UTC)", "zh-CN": "写入时间（UTC）"},
    "cli2.cache.col.current": {"en": "current", "zh-CN": "是否最新"},
    "cli2.cache.yes": {"en": "yes", "zh-CN": "是"},
    "cli2.cache.stale": {
        "en": "no (older code: rebuilt when used)",
        "zh-CN": "否（旧版本生成，使用时重建）",
    },
    "cli2.cache.risk": {
        "en": "Validated risk choices: {files} file(s), {mb:.1f} MB",
        "zh-CN": "风险模型验证结果缓存：{files} 个文件，{mb:.1f} MB",
    },
    "cli2.cache.webfont": {
        "en": "Web pages' CJK font: {files} file(s), {mb:.1f} MB",
        "zh-CN": "网页中文字体缓存：{files} 个文件，{mb:.1f} MB",
    },
    "cli2.cache.cleared_other": {
        "en": "Removed {risk} validated risk choice(s) and {webfont} web font file(s).",
        "zh-CN": "已删除 {risk} 个风险模型验证结果和 {webfont} 个网页字体文件。",
    },
    "cli2.cache.cleared": {
        "en": "Removed {n} cached network(s) from {directory}.",
        "zh-CN": "已从 {directory} 删除 {n} 个缓存路网。",
    },
    # ---- gridpatrol review plan|week|month
    "cli2.rev.sample": {
        "en": "No input files given: using the embedded sample district {sample}.",
        "zh-CN": "未指定输入文件：使用内置示例辖区 {sample}。",
    },
    "cli2.rev.error.both": {
        "en": "give both --incidents FILE and --areas FILE (or neither, for the sample)",
        "zh-CN": "请同时给出 --incidents FILE 和 --areas FILE（或都不给，使用示例辖区）",
    },
    "cli2.rev.error.no_areas": {
        "en": "the district {name} has no official areas to review",
        "zh-CN": "辖区 {name} 没有可供评估的警务片区",
    },
    "cli2.rev.error.tracks": {
        "en": "give the units' tracks with --tracks FILE (GPX or CSV) or --checkins FILE",
        "zh-CN": "请用 --tracks FILE（GPX 或 CSV）给出巡组轨迹，"
        "或用 --checkins FILE 给出巡更打卡记录",
    },
    "cli2.rev.zone.sample": {
        "en": "Time zone {zone}, the sample's.",
        "zh-CN": "时区 {zone}（示例辖区的时区）。",
    },
    "cli2.rev.zone.given": {
        "en": "Time zone {zone}, as given with --timezone.",
        "zh-CN": "时区 {zone}（按 --timezone 指定）。",
    },
    "cli2.rev.zone.plan": {
        "en": "Time zone {zone}, the plan's; give --timezone to choose another.",
        "zh-CN": "时区 {zone}（计划文件的时区）；如需改用其他时区，请用 --timezone 指定。",
    },
    "cli2.rev.zone.fallback": {
        "en": "Time zone {zone}: nothing places the district; give --timezone.",
        "zh-CN": "时区 {zone}：无法确定辖区位置；请用 --timezone 指定。",
    },
    "cli2.rev.plan.summary": {
        "en": ", shift {shift} on {date}: {visited} of {planned} stops visited ({share:.0%}), "
        "{delivered:.0%} of the planned presence delivered",
        "zh-CN": "，{date} {shift}：计划点位 {planned} 个，实到 {visited} 个"
        "（到位率 {share:.0%}），见警完成率 {delivered:.0%}",
    },
    "cli2.rev.plan.unit": {
        "en": "stops  presence {actual:7.0f} min (planned {planned:.0f})",
        "zh-CN": "点位  见警 {actual:>5.0f} 分钟（计划 {planned:.0f} 分钟）",
    },
    "cli2.rev.plan.reason": {"en": "{n} {reason}", "zh-CN": "{reason} {n} 个"},
    "cli2.rev.plan.kept_out": {
        "en": "fixes kept out: {reasons} (listed in {path})",
        "zh-CN": "剔除的定位点：{reasons}（明细见 {path}）",
    },
    "cli2.rev.month.title": {"en": "Monthly evaluation {month}", "zh-CN": "{month} 月度考评"},
    "cli2.rev.month.ranked": {
        "en": " ({name}), ranked by the rise {basis}:",
        "zh-CN": "（{name}），按{basis}升幅排名：",
    },
    "cli2.rev.month.basis.yoy": {"en": "year on year (同比)", "zh-CN": "同比"},
    "cli2.rev.month.basis.mom": {"en": "month on month (环比)", "zh-CN": "环比"},
    "cli2.rev.month.too_few": {"en": "too few", "zh-CN": "案件过少"},
    "cli2.rev.month.counts": {
        "en": "(a year ago {year:>4}, last month {month:>4})",
        "zh-CN": "（去年同月 {year:>4}，上月 {month:>4}）",
    },
    "cli2.rev.week.title": {"en": "Weekly review {week}", "zh-CN": "{week} 周研判"},
    "cli2.rev.week.against": {
        "en": " ({name}) against {previous} and {last_year}: {n} incidents",
        "zh-CN": "（{name}），对比 {previous} 及 {last_year}：警情 {n} 起",
    },
    "cli2.rev.bulletin": {
        "en": "bulletin of {months} computed from the incidents (not in the history given)",
        "zh-CN": "{months} 的通报情况按警情数据推算（所给历史记录中没有）",
    },
    "cli2.rev.none": {"en": "none", "zh-CN": "无"},
    "cli2.rev.week.areas": {
        "en": "new hotspot areas: {new}; persisting: {kept}",
        "zh-CN": "新增热点片区：{new}；持续热点片区：{kept}",
    },
    "cli2.rev.week.cells_new": {
        "en": "new hotspot cells: {cells}",
        "zh-CN": "新增热点网格：{cells}",
    },
    "cli2.rev.week.cells_persisting": {
        "en": "persisting hotspot cells: {cells}",
        "zh-CN": "持续热点网格：{cells}",
    },
    "cli2.rev.week.day": {
        "en": "{date} {shift}: {visited} of {planned} stops visited",
        "zh-CN": "{date} {shift}：计划点位 {planned} 个，实到 {visited} 个",
    },
    "cli2.rev.out.json": {"en": "json", "zh-CN": "json"},
    "cli2.rev.out.map": {"en": "map", "zh-CN": "地图 png"},
    "cli2.rev.out.history": {"en": "history", "zh-CN": "历史记录"},
    # ---- gridpatrol evaluate
    "cli2.eval.error.weeks": {
        "en": "--weeks: expected at least 1, got {weeks}",
        "zh-CN": "--weeks：应不小于 1，实际为 {weeks}",
    },
    "cli2.eval.error.share": {
        "en": "--share: expected one of {shares}, got {share:g}",
        "zh-CN": "--share：应为 {shares} 之一，实际为 {share:g}",
    },
    "cli2.eval.error.cell_size": {
        "en": "--cell-size: expected a positive number of metres, got {size}",
        "zh-CN": "--cell-size：应为正数（米），实际为 {size}",
    },
    "cli2.eval.progress": {
        "en": "Backtesting {weeks} week(s) on {cells:,} cells",
        "zh-CN": "正在回测 {weeks} 周（{cells:,} 个网格）",
    },
    "cli2.eval.cells_areas": {"en": "official polygons", "zh-CN": "警务片区多边形"},
    "cli2.eval.cells_squares": {"en": "{size:g} m squares", "zh-CN": "边长 {size:g} 米的方格"},
    "cli2.eval.head": {
        "en": "Backtest: {weeks} test week(s) from {start}, {cells:,} cells ({kind}); every "
        "forecast uses only incidents before its test week",
        "zh-CN": "回测：自 {start} 起 {weeks} 个测试周，{cells:,} 个网格（{kind}）；"
        "每次预测只使用测试周之前的警情",
    },
    "cli2.eval.band_title": {
        "en": "Band {band}: {pct:g} % of area flagged, {weeks} test week(s)",
        "zh-CN": "{band}：标记 {pct:g}% 面积，{weeks} 个测试周",
    },
    "cli2.eval.weekdays_title": {
        "en": "By day of week: the default at {pct:g} % of area",
        "zh-CN": "分星期：默认方法，标记 {pct:g}% 面积",
    },
    "cli2.eval.col.method": {"en": "method", "zh-CN": "方法"},
    "cli2.eval.col.hit": {"en": "hit", "zh-CN": "命中率"},
    "cli2.eval.col.pai": {"en": "PAI", "zh-CN": "PAI"},
    "cli2.eval.col.pei": {"en": "PEI*", "zh-CN": "PEI*"},
    "cli2.eval.col.interval": {"en": "95 % interval", "zh-CN": "95% 置信区间"},
    "cli2.eval.col.vs_naive": {"en": "vs naive", "zh-CN": "与简单计数之比"},
    "cli2.eval.col.naive_pai": {"en": "naive PAI", "zh-CN": "简单计数 PAI"},
    "cli2.eval.col.verdict": {"en": "verdict", "zh-CN": "结论"},
    "cli2.eval.col.band_day": {"en": "band, day", "zh-CN": "时段、星期"},
    "cli2.eval.col.default": {"en": "default", "zh-CN": "默认方法"},
    "cli2.eval.tag.baseline": {"en": "baseline", "zh-CN": "基准"},
    "cli2.eval.tag.default": {"en": "default", "zh-CN": "默认"},
    "cli2.eval.verdict.better than naive": {"en": "better than naive", "zh-CN": "优于简单计数"},
    "cli2.eval.verdict.worse than naive": {"en": "worse than naive", "zh-CN": "不如简单计数"},
    "cli2.eval.verdict.not better than naive": {
        "en": "not better than naive",
        "zh-CN": "未优于简单计数",
    },
    "cli2.eval.choice": {
        "en": "{band}: {method} chose by validation PAI at {pct:g} % on the weeks before each "
        "test week (test weeks used: {used}); for the next week it uses {next}. The blend is "
        "fitted on earlier weeks only, never on the week it forecasts.",
        "zh-CN": "{band}：{method} 按每个测试周之前各周 {pct:g}% 面积上的验证 PAI 选取方法"
        "（各测试周所用：{used}）；下一周使用 {next}。组合预测只用更早的周拟合，"
        "从不使用被预测的那一周。",
    },
    "cli2.eval.sources": {
        "en": "sources: {note} (in forecasts and scored weeks alike)",
        "zh-CN": "警情来源：{note}（预测与评分各周一致）",
    },
    "cli2.eval.skipped": {"en": "band {band} not evaluated: {why}", "zh-CN": "{band}未评估：{why}"},
    "cli2.eval.note": {"en": "note ({band}): {note}", "zh-CN": "{band}说明：{note}"},
    "cli2.eval.json_written": {"en": "JSON written to {path}", "zh-CN": "JSON 已写入 {path}"},
    "cli2.eval.n.no_incident": {
        "en": "no incident in the test period from {day}",
        "zh-CN": "自 {day} 起的测试期内没有警情",
    },
    "cli2.eval.n.date_only": {
        "en": "{n} date-only incident(s) are left out of band {band}",
        "zh-CN": "{n} 起只有日期的警情未计入{band}",
    },
    "cli2.eval.n.after": {
        "en": "{n} incident(s) after the last test day are not used",
        "zh-CN": "最后一个测试日之后的 {n} 起警情未使用",
    },
    "cli2.eval.n.weekday": {
        "en": "{n} incident(s): fewer than {min} for a per-weekday backtest",
        "zh-CN": "仅 {n} 起警情，少于分星期回测所需的 {min} 起",
    },
    "cli2.eval.n.dates_only": {
        "en": "incidents carry dates only",
        "zh-CN": "警情只有日期、没有具体时刻",
    },
    "cli2.eval.day.Mon": {"en": "Mon", "zh-CN": "周一"},
    "cli2.eval.day.Tue": {"en": "Tue", "zh-CN": "周二"},
    "cli2.eval.day.Wed": {"en": "Wed", "zh-CN": "周三"},
    "cli2.eval.day.Thu": {"en": "Thu", "zh-CN": "周四"},
    "cli2.eval.day.Fri": {"en": "Fri", "zh-CN": "周五"},
    "cli2.eval.day.Sat": {"en": "Sat", "zh-CN": "周六"},
    "cli2.eval.day.Sun": {"en": "Sun", "zh-CN": "周日"},
    # ---- gridpatrol staffing
    "cli2.staff.error.start_date": {
        "en": "--start-date: expected YYYY-MM-DD, got {value}",
        "zh-CN": "--start-date：应为 YYYY-MM-DD 格式的日期，实际为 {value}",
    },
    "cli2.staff.error.not_found": {
        "en": "file not found: {path}",
        "zh-CN": "找不到文件：{path}",
    },
    "cli2.staff.out.staffing_csv": {"en": "staffing_csv", "zh-CN": "力量配置表 csv"},
    "cli2.staff.out.curves_csv": {"en": "curves_csv", "zh-CN": "覆盖曲线 csv"},
    "cli2.staff.out.curves_png": {"en": "curves_png", "zh-CN": "覆盖曲线图 png"},
    "cli2.staff.out.shifts_csv": {"en": "shifts_csv", "zh-CN": "错时班次 csv"},
    "cli2.staff.out.staffing_xlsx": {"en": "staffing_xlsx", "zh-CN": "力量配置表 xlsx"},
    "cli2.staff.out.staffing_pdf_en": {
        "en": "staffing_pdf_en",
        "zh-CN": "力量配置报告 pdf（英文）",
    },
    "cli2.staff.out.staffing_pdf_zh-CN": {
        "en": "staffing_pdf_zh-CN",
        "zh-CN": "力量配置报告 pdf（中文）",
    },
    "cli2.staff.out.roster_csv": {"en": "roster_csv", "zh-CN": "勤务表 csv"},
    "cli2.staff.out.roster_xlsx": {"en": "roster_xlsx", "zh-CN": "勤务表 xlsx"},
    "cli2.staff.out.summary": {"en": "summary", "zh-CN": "汇总"},
}
