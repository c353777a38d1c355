"""The message catalogue: every label of maps, sheets and the service's web pages in English and
Simplified Chinese.

One dictionary, key -> {language: text}, here and in the part modules of :mod:`maps.catalog`
(one per capability). Texts may hold ``str.format`` fields (``{n}``); both
languages of a key use the same fields. :mod:`maps.i18n` looks texts up; a test checks that
every key has every language and the same fields.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

_RAW: dict[str, dict[str, str]] = {
    # ---- titles and generic words
    "app.name": {"en": "gridpatrol", "zh-CN": "网格巡防"},
    "map.title": {"en": "Patrol map: {district}", "zh-CN": "巡逻图：{district}"},
    "map.subtitle": {"en": "Shift {band}, {date}", "zh-CN": "{date} {band} 班次"},
    "word.unit": {"en": "Unit", "zh-CN": "巡组"},
    "word.units": {"en": "Units", "zh-CN": "巡组"},
    "word.mode": {"en": "Mode", "zh-CN": "巡逻方式"},
    "word.shift": {"en": "Shift", "zh-CN": "班次"},
    "word.station": {"en": "Station", "zh-CN": "驻点"},
    "word.date": {"en": "Date", "zh-CN": "日期"},
    "word.district": {"en": "District", "zh-CN": "辖区"},
    "word.band": {"en": "Time band", "zh-CN": "时段"},
    "word.cell": {"en": "Cell", "zh-CN": "网格"},
    "word.area": {"en": "Area", "zh-CN": "片区"},
    "word.risk": {"en": "Risk", "zh-CN": "风险"},
    "word.rank": {"en": "Rank", "zh-CN": "排名"},
    "word.score": {"en": "Risk score", "zh-CN": "风险分值"},
    "word.incidents": {"en": "Incidents", "zh-CN": "警情"},
    "word.peak_hours": {"en": "Peak hours", "zh-CN": "高发时段"},
    "word.significance": {"en": "Gi* significance", "zh-CN": "Gi* 显著性"},
    "word.none": {"en": "none", "zh-CN": "无"},
    "word.yes": {"en": "yes", "zh-CN": "是"},
    "word.no": {"en": "no", "zh-CN": "否"},
    "word.window": {"en": "Window", "zh-CN": "时间窗"},
    "word.required": {"en": "Required", "zh-CN": "必巡"},
    "word.optional": {"en": "Optional", "zh-CN": "选巡"},
    "word.crew": {"en": "Crew", "zh-CN": "人数"},
    # ---- map layers
    "layer.risk": {"en": "Risk by cell ({band})", "zh-CN": "网格风险（{band}）"},
    "layer.gistar": {"en": "Gi* hot and cold cells", "zh-CN": "Gi* 热点与冷点网格"},
    "layer.heat": {"en": "Incident heat map", "zh-CN": "警情热力图"},
    "layer.incidents": {"en": "Incidents (clustered)", "zh-CN": "警情点（聚合）"},
    "layer.hotspots": {"en": "Hotspots", "zh-CN": "易发部位"},
    "layer.route": {"en": "Route {unit} ({mode})", "zh-CN": "{unit} 路线（{mode}）"},
    "layer.stations": {"en": "Stations", "zh-CN": "驻点"},
    "layer.posts": {"en": "Posts and checkpoints", "zh-CN": "定点与卡口"},
    "layer.lines": {"en": "Patrol lines", "zh-CN": "巡逻线"},
    "layer.windows": {"en": "Time windows (school gates)", "zh-CN": "时段任务（校园上放学）"},
    "layer.player": {"en": "Shift playback", "zh-CN": "班次回放"},
    "legend.risk": {"en": "Risk score, {band} ({scheme})", "zh-CN": "风险分值，{band}（{scheme}）"},
    "legend.no_data": {"en": "no incidents", "zh-CN": "无警情"},
    "legend.routes": {"en": "Unit routes", "zh-CN": "巡组路线"},
    "scheme.quantiles": {"en": "quantiles", "zh-CN": "分位数分级"},
    "scheme.naturalbreaks": {"en": "natural breaks", "zh-CN": "自然断点分级"},
    "scheme.equalinterval": {"en": "equal intervals", "zh-CN": "等间距分级"},
    "sig.hot 99%": {"en": "hot spot, 99 %", "zh-CN": "热点 99%"},
    "sig.hot 95%": {"en": "hot spot, 95 %", "zh-CN": "热点 95%"},
    "sig.hot 90%": {"en": "hot spot, 90 %", "zh-CN": "热点 90%"},
    "sig.not significant": {"en": "not significant", "zh-CN": "不显著"},
    "sig.cold 90%": {"en": "cold spot, 90 %", "zh-CN": "冷点 90%"},
    "sig.cold 95%": {"en": "cold spot, 95 %", "zh-CN": "冷点 95%"},
    "sig.cold 99%": {"en": "cold spot, 99 %", "zh-CN": "冷点 99%"},
    "popup.stop": {"en": "Stop {order}: {label}", "zh-CN": "第 {order} 站：{label}"},
    "popup.arrive": {"en": "Arrive", "zh-CN": "到达"},
    "popup.leave": {"en": "Leave", "zh-CN": "离开"},
    "popup.dwell": {"en": "Dwell", "zh-CN": "停留"},
    "popup.task": {"en": "Task", "zh-CN": "任务"},
    "popup.hotspot": {"en": "Hotspot {rank}: cell {cell}", "zh-CN": "易发部位 {rank}：网格 {cell}"},
    "popup.counts": {"en": "Incidents by category", "zh-CN": "各类警情数"},
    "player.play": {"en": "Play", "zh-CN": "播放"},
    "player.pause": {"en": "Pause", "zh-CN": "暂停"},
    "tiles.osm": {"en": "OpenStreetMap", "zh-CN": "OpenStreetMap"},
    "tiles.cartodb": {"en": "CartoDB Positron", "zh-CN": "CartoDB 浅色底图"},
    "tiles.tianditu": {"en": "Tianditu", "zh-CN": "天地图"},
    "tiles.tianditu_labels": {"en": "Tianditu labels", "zh-CN": "天地图注记"},
    "tiles.gaode": {"en": "AutoNavi (GCJ-02)", "zh-CN": "高德地图（GCJ-02）"},
    # ---- task kinds and modes
    "kind.hotspot": {"en": "hotspot visit", "zh-CN": "易发部位巡查"},
    "kind.post": {"en": "fixed post", "zh-CN": "定点值守"},
    "kind.line": {"en": "line patrol", "zh-CN": "沿线巡逻"},
    "kind.area": {"en": "area coverage", "zh-CN": "片区巡查"},
    "mode.foot": {"en": "foot", "zh-CN": "步巡"},
    "mode.bicycle": {"en": "bicycle", "zh-CN": "自行车巡"},
    "mode.car": {"en": "car", "zh-CN": "车巡"},
    # ---- incident categories (canonical names)
    "cat.robbery": {"en": "robbery", "zh-CN": "抢劫抢夺"},
    "cat.theft": {"en": "theft", "zh-CN": "盗窃"},
    "cat.vehicle_theft": {"en": "vehicle theft", "zh-CN": "盗窃车辆"},
    "cat.burglary": {"en": "burglary", "zh-CN": "入室盗窃"},
    "cat.assault": {"en": "assault", "zh-CN": "伤害"},
    "cat.fraud": {"en": "fraud", "zh-CN": "诈骗"},
    "cat.disorder": {"en": "disorder", "zh-CN": "扰乱秩序"},
    "cat.other": {"en": "other", "zh-CN": "其他"},
    # ---- route sheets
    "sheet.title": {"en": "Route sheet", "zh-CN": "巡逻路线单"},
    "sheet.summary": {"en": "Summary", "zh-CN": "汇总"},
    "sheet.stops": {"en": "Stops", "zh-CN": "巡逻点位"},
    "sheet.col.order": {"en": "No.", "zh-CN": "序号"},
    "sheet.col.place": {"en": "Place", "zh-CN": "地点"},
    "sheet.col.cell": {"en": "Cell", "zh-CN": "网格"},
    "sheet.col.arrive": {"en": "Arrive", "zh-CN": "到达"},
    "sheet.col.leave": {"en": "Leave", "zh-CN": "离开"},
    "sheet.col.dwell": {"en": "Dwell", "zh-CN": "停留"},
    "sheet.col.task": {"en": "Task", "zh-CN": "任务"},
    "sheet.col.notes": {"en": "Notes", "zh-CN": "备注"},
    "sheet.col.lat": {"en": "Latitude", "zh-CN": "纬度"},
    "sheet.col.lon": {"en": "Longitude", "zh-CN": "经度"},
    "sheet.col.stops": {"en": "Stops", "zh-CN": "点位数"},
    "sheet.col.depart": {"en": "Depart", "zh-CN": "出发"},
    "sheet.col.return": {"en": "Return", "zh-CN": "返回"},
    "sheet.col.distance": {"en": "Distance", "zh-CN": "里程"},
    "sheet.col.travel": {"en": "Travel", "zh-CN": "行程用时"},
    "sheet.col.dwell_total": {"en": "Time at stops", "zh-CN": "停留合计"},
    "sheet.col.reason": {"en": "Reason", "zh-CN": "原因"},
    "sheet.depart_station": {"en": "Leave {station}", "zh-CN": "从{station}出发"},
    "sheet.return_station": {"en": "Return to {station}", "zh-CN": "返回{station}"},
    "sheet.break": {"en": "Meal break {minutes} min", "zh-CN": "就餐休息 {minutes} 分钟"},
    "sheet.totals": {
        "en": "Totals: {stops} stops, {distance}, travel {travel}, at stops {dwell}",
        "zh-CN": "合计：{stops} 个点位，里程 {distance}，行程 {travel}，停留 {dwell}",
    },
    "sheet.no_stops": {
        "en": "No stops: the unit stays at its station.",
        "zh-CN": "无巡逻点位：巡组留守驻点。",
    },
    "sheet.signoff": {
        "en": "Unit leader: ____________   Coordinator: ____________   Time back: ________",
        "zh-CN": "带班人签字：____________   调度员签字：____________   返回时间：________",
    },
    "sheet.generated": {"en": "Generated {when}", "zh-CN": "生成于 {when}"},
    "sheet.page": {"en": "Page {page}", "zh-CN": "第 {page} 页"},
    "sheet.dropped": {"en": "Tasks not planned", "zh-CN": "未安排的任务"},
    "sheet.plan_summary": {
        "en": "{units} units, {stops} stops, {distance}, risk covered {share}",
        "zh-CN": "{units} 个巡组，{stops} 个点位，里程 {distance}，风险覆盖 {share}",
    },
    "sheet.map_note": {
        "en": "Route along the streets; numbers are the stop order.",
        "zh-CN": "沿街道的巡逻路线；数字为巡逻顺序。",
    },
    "sheet.window_note": {"en": "window {start}–{end}", "zh-CN": "时间窗 {start}–{end}"},
    "sheet.required_note": {"en": "required", "zh-CN": "必巡"},
    # ---- staffing page
    "staff.title": {"en": "Staffing by area and shift", "zh-CN": "各片区各班次警力配置"},
    "staff.col.area": {"en": "Area", "zh-CN": "片区"},
    "staff.col.shift": {"en": "Shift", "zh-CN": "班次"},
    "staff.col.norm": {"en": "Norm headcount", "zh-CN": "按标准应配"},
    "staff.col.workload": {"en": "Workload headcount", "zh-CN": "按工作量应配"},
    "staff.col.current": {"en": "Current", "zh-CN": "现有"},
    "staff.col.residents": {"en": "Residents", "zh-CN": "实有人口"},
    "staff.col.required": {"en": "Required", "zh-CN": "应配"},
    "staff.col.shortage": {"en": "Shortage", "zh-CN": "缺口"},
    "staff.col.surplus": {"en": "Surplus", "zh-CN": "富余"},
    "staff.no_population": {"en": "no population data", "zh-CN": "无人口数据"},
    "staff.district": {"en": "District (all areas)", "zh-CN": "全辖区（各片区）"},
    "staff.teams": {
        "en": "Team size: people on the team over the week",
        "zh-CN": "队伍规模：全周所需在编人数",
    },
    "staff.shifts": {
        "en": "On duty per shift: people at the same time",
        "zh-CN": "各班次在岗人数：同一时间在岗",
    },
    "staff.per_day": {"en": "Per day (all shifts)", "zh-CN": "每日合计（各班次）"},
    "staff.note.team": {
        "en": "Team size = people on duty per day × 7 ÷ {n} shifts per person per week; required "
        "is the larger of norm and workload. People per shift and people per week are never "
        "added together.",
        "zh-CN": "队伍规模 = 每日在岗人次 × 7 ÷ 每人每周 {n} 个班次；应配取标准与工作量中的较大者。"
        "班次在岗人数与全周在编人数不相加。",
    },
    "staff.note.totals": {
        "en": "A per-day total adds the shifts of one area, only where every shift is known; a "
        "surplus on one shift does not fill a shortage on another.",
        "zh-CN": "每日合计只加同一片区各班次，且各班次均有数据时才计算；"
        "某班次富余不抵另一班次缺口。",
    },
    "staff.note.left_out": {
        "en": "Not in the tables (no population data, no workload, no current staff): {areas}.",
        "zh-CN": "未列入表格（无人口数据、无工作量、无现有人员）：{areas}。",
    },
    "staff.and_more": {"en": "and {n} more", "zh-CN": "等另外 {n} 个"},
    "staff.not_reached": {"en": "target not reached", "zh-CN": "未达覆盖目标"},
    "staff.chart": {"en": "Risk covered by number of units", "zh-CN": "巡组数量与风险覆盖率"},
    "staff.chart.curve": {"en": "{fleet}, shift {shift}", "zh-CN": "{fleet}，{shift} 班次"},
    "staff.chart.x": {"en": "Units on duty", "zh-CN": "在岗巡组数"},
    "staff.chart.y": {"en": "Share of risk covered", "zh-CN": "风险覆盖比例"},
    "staff.note": {
        "en": "Norm: 1.5 full-time patrol members per 1,000 residents; workload from the plan.",
        "zh-CN": "标准：专职巡防队员按实有人口 1.5‰ 配置；工作量按巡逻计划测算。",
    },
    # ---- web pages of the service
    "web.title": {"en": "gridpatrol – patrol planning", "zh-CN": "网格巡防 – 巡逻勤务编排"},
    "web.lang.name": {"en": "English", "zh-CN": "中文"},
    "web.nav.areas": {"en": "Areas", "zh-CN": "片区"},
    "web.signed_in_as": {
        "en": "Signed in as {user} ({role})",
        "zh-CN": "当前用户：{user}（{role}）",
    },
    "web.logout": {"en": "Sign out", "zh-CN": "退出登录"},
    "role.admin": {"en": "administrator", "zh-CN": "管理员"},
    "role.coordinator": {"en": "coordinator", "zh-CN": "勤务调度员"},
    "role.viewer": {"en": "viewer", "zh-CN": "只读用户"},
    "web.login.title": {"en": "Sign in", "zh-CN": "登录"},
    "web.login.username": {"en": "User name", "zh-CN": "用户名"},
    "web.login.password": {"en": "Password", "zh-CN": "密码"},
    "web.login.submit": {"en": "Sign in", "zh-CN": "登录"},
    "web.login.wrong": {"en": "Wrong user name or password.", "zh-CN": "用户名或密码错误。"},
    "web.login.missing": {
        "en": "Enter a user name and a password.",
        "zh-CN": "请输入用户名和密码。",
    },
    "web.areas.title": {"en": "Your areas", "zh-CN": "我的片区"},
    "web.areas.none": {
        "en": "No areas yet. An administrator can add one.",
        "zh-CN": "尚无片区，请管理员添加。",
    },
    "web.area.add": {"en": "Add an area from a sample", "zh-CN": "从示例数据新建片区"},
    "web.area.name": {"en": "Name", "zh-CN": "名称"},
    "web.area.sample": {"en": "Sample", "zh-CN": "示例数据"},
    "web.area.sample_incidents": {
        "en": "Also load the sample's incidents",
        "zh-CN": "同时载入示例警情",
    },
    "web.area.create": {"en": "Create area", "zh-CN": "新建片区"},
    "web.area.timezone": {"en": "Time zone", "zh-CN": "时区"},
    "web.area.stations": {"en": "Stations", "zh-CN": "驻点数"},
    "web.datasets": {"en": "Incident datasets", "zh-CN": "警情数据集"},
    "web.dataset": {"en": "Dataset", "zh-CN": "数据集"},
    "web.datasets.none": {
        "en": "No datasets yet: upload an incident file.",
        "zh-CN": "尚无数据集，请上传警情文件。",
    },
    "web.rows": {"en": "Rows", "zh-CN": "条数"},
    "web.period": {"en": "Period (UTC)", "zh-CN": "时间范围（UTC）"},
    "web.created": {"en": "Created (UTC)", "zh-CN": "创建时间（UTC）"},
    "web.upload.title": {"en": "Upload incidents", "zh-CN": "上传警情"},
    "web.upload.file": {
        "en": "File (CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile)",
        "zh-CN": "文件（CSV、XLSX、GeoJSON、GeoPackage 或压缩的 Shapefile）",
    },
    "web.upload.name": {"en": "Dataset name (optional)", "zh-CN": "数据集名称（可选）"},
    "web.upload.submit": {"en": "Upload", "zh-CN": "上传"},
    "web.upload.no_file": {"en": "Choose a file to upload.", "zh-CN": "请选择要上传的文件。"},
    "web.upload.columns": {
        "en": "Columns (optional), e.g. date=案发时间,category=案由",
        "zh-CN": "列名（可选），例如 date=案发时间,category=案由",
    },
    "web.upload.datetime_format": {
        "en": "Date format (optional), e.g. %d/%m/%Y %H:%M",
        "zh-CN": "日期格式（可选），例如 %d/%m/%Y %H:%M",
    },
    "web.upload.sheet": {"en": "Worksheet of an .xlsx file", "zh-CN": "Excel 工作表"},
    "web.upload.keep_valid": {
        "en": "Keep the valid rows (keep_valid); list the rows left out",
        "zh-CN": "保留有效行（keep_valid），列出未导入的行",
    },
    "web.upload.left_out": {
        "en": "Stored {kept} rows; {n} rows were left out:",
        "zh-CN": "已导入 {kept} 行；{n} 行未导入：",
    },
    "web.problems.title": {"en": "Problems found", "zh-CN": "发现的问题"},
    "web.problems.source": {"en": "File", "zh-CN": "文件"},
    "web.problems.row": {"en": "Row", "zh-CN": "行"},
    "web.problems.column": {"en": "Column", "zh-CN": "列"},
    "web.problems.value": {"en": "Value", "zh-CN": "值"},
    "web.problems.message": {"en": "Problem", "zh-CN": "问题"},
    "web.problems.more": {"en": "… and {n} more.", "zh-CN": "……另有 {n} 个问题。"},
    "web.plan.new": {"en": "Plan a shift", "zh-CN": "编排班次"},
    "web.plan.dwell": {"en": "Minutes per hotspot visit", "zh-CN": "每处易发点停留（分钟）"},
    "web.plan.vary": {"en": "Plans for successive days", "zh-CN": "连续天数方案数"},
    "web.plan.on_infeasible": {
        "en": "When a required task is impossible",
        "zh-CN": "必巡任务无法完成时",
    },
    "web.plan.on_infeasible.raise": {"en": "stop and say which", "zh-CN": "停止并指出是哪一项"},
    "web.plan.on_infeasible.drop": {
        "en": "plan the rest and report it",
        "zh-CN": "编排其余任务并列出未完成项",
    },
    "web.plan.grid": {"en": "Cells", "zh-CN": "网格"},
    "web.plan.grid.square": {"en": "square", "zh-CN": "方形网格"},
    "web.plan.grid.hex": {"en": "hexagons", "zh-CN": "六边形网格"},
    "web.plan.grid.areas": {"en": "official areas", "zh-CN": "官方网格（社区/村）"},
    "web.plan.units_file": {
        "en": "Units file (CSV, optional; replaces the counts)",
        "zh-CN": "巡组文件（CSV，可选；替代上方数量）",
    },
    "web.plan.duties_file": {
        "en": "Duties file (CSV or GeoJSON, optional)",
        "zh-CN": "勤务文件（CSV 或 GeoJSON，可选）",
    },
    "web.plan.file_type": {
        "en": "{name}: expected a .csv file, or .geojson/.json for duties",
        "zh-CN": "{name}：应为 .csv 文件，勤务文件也可为 .geojson/.json",
    },
    "web.plan.file_large": {
        "en": "{name}: larger than {limit} characters",
        "zh-CN": "{name}：超过 {limit} 个字符",
    },
    "web.plan.date_hint": {
        "en": "empty: the day after the latest incident",
        "zh-CN": "留空：最近一条警情的次日",
    },
    "web.plan.time_limit": {"en": "Solver time limit (s)", "zh-CN": "求解时限（秒）"},
    "web.plan.top": {"en": "Hotspot cells considered", "zh-CN": "候选易发网格数"},
    "web.plan.submit": {"en": "Run plan", "zh-CN": "开始编排"},
    "web.plan.no_units": {"en": "Give at least one unit.", "zh-CN": "请至少安排一个巡组。"},
    "web.plan.no_dataset": {
        "en": "Choose a dataset of this area.",
        "zh-CN": "请选择本片区的数据集。",
    },
    "web.plans": {"en": "Plans", "zh-CN": "巡逻计划"},
    "web.plans.none": {"en": "No plans yet.", "zh-CN": "尚无巡逻计划。"},
    "web.plan.title": {"en": "Plan {id}", "zh-CN": "巡逻计划 {id}"},
    "web.plan.cancel": {"en": "Cancel", "zh-CN": "取消"},
    "web.plan.error": {"en": "Error", "zh-CN": "错误"},
    "web.plan.waiting": {
        "en": "This page follows the job while it runs.",
        "zh-CN": "任务运行期间本页自动刷新进度。",
    },
    "web.plan.totals": {"en": "Totals", "zh-CN": "汇总"},
    "web.plan.risk_share": {"en": "Risk covered", "zh-CN": "风险覆盖"},
    "web.plan.map": {"en": "Map", "zh-CN": "巡逻图"},
    "web.plan.open_map": {"en": "Open the map in its own window", "zh-CN": "在新窗口打开巡逻图"},
    "web.plan.downloads": {"en": "Route sheets", "zh-CN": "巡逻路线单"},
    "web.plan.routes": {"en": "Routes", "zh-CN": "路线"},
    "web.state": {"en": "State", "zh-CN": "状态"},
    "web.progress": {"en": "Progress", "zh-CN": "进度"},
    "web.state.queued": {"en": "queued", "zh-CN": "排队中"},
    "web.state.running": {"en": "running", "zh-CN": "运行中"},
    "web.state.succeeded": {"en": "done", "zh-CN": "已完成"},
    "web.state.failed": {"en": "failed", "zh-CN": "失败"},
    "web.state.cancelled": {"en": "cancelled", "zh-CN": "已取消"},
    "web.back_area": {"en": "Back to {area}", "zh-CN": "返回{area}"},
    "web.staffing": {"en": "Staffing", "zh-CN": "警力配置"},
    "web.staffing.title": {"en": "Staffing: {area}", "zh-CN": "警力配置：{area}"},
    "web.staffing.new": {"en": "Propose staffing", "zh-CN": "测算警力配置"},
    "web.staffing.fleet": {"en": "Fleet", "zh-CN": "巡组类型"},
    "web.staffing.max_units": {"en": "Largest fleet (units)", "zh-CN": "最多巡组数"},
    "web.staffing.point_limit": {
        "en": "Solver time per fleet size (s)",
        "zh-CN": "每个巡组规模的求解时限（秒）",
    },
    "web.staffing.submit": {"en": "Run staffing", "zh-CN": "开始测算"},
    "web.staffing.runs": {"en": "Staffing runs", "zh-CN": "测算记录"},
    "web.staffing.none": {"en": "No staffing runs yet.", "zh-CN": "尚无测算记录。"},
    "web.staffing.run": {"en": "Staffing run {id}", "zh-CN": "警力测算 {id}"},
    "web.staffing.downloads": {"en": "Downloads", "zh-CN": "下载"},
    "web.staffing.notes": {"en": "Notes", "zh-CN": "说明"},
    "web.staffing.shifts": {"en": "Staggered shifts", "zh-CN": "错时班次"},
    "web.staffing.fixed": {"en": "Fixed shifts", "zh-CN": "固定班次"},
    "web.staffing.proposed": {"en": "Proposed shifts", "zh-CN": "建议班次"},
    "fleet.mixed": {"en": "mixed (car, foot, bicycle)", "zh-CN": "混编（车巡、步巡、自行车巡）"},
    "fleet.car": {"en": "car", "zh-CN": "车巡"},
    "fleet.foot": {"en": "foot", "zh-CN": "步巡"},
    "fleet.bicycle": {"en": "bicycle", "zh-CN": "自行车巡"},
    "web.col.population": {"en": "Residents", "zh-CN": "实有人口"},
    "web.col.workload_units": {"en": "Workload units", "zh-CN": "工作量巡组"},
    "web.col.required": {"en": "Required", "zh-CN": "应配"},
    "web.error.title": {"en": "This cannot be done", "zh-CN": "无法完成"},
    "web.error.403": {"en": "Not allowed", "zh-CN": "无权操作"},
    "web.error.404": {"en": "Not found", "zh-CN": "未找到"},
    "web.error.429": {"en": "Too many requests", "zh-CN": "请求过于频繁"},
    "web.error.csrf": {
        "en": "This form has expired or did not come from this site. Reload the page and try "
        "again.",
        "zh-CN": "表单已过期或并非来自本站，请刷新页面后重试。",
    },
    "web.error.viewer": {
        "en": "Viewers cannot change anything.",
        "zh-CN": "只读用户不能修改数据。",
    },
    "web.error.admin": {
        "en": "Only administrators can do this.",
        "zh-CN": "仅管理员可以执行此操作。",
    },
    "web.error.field": {"en": "{field}: {message}", "zh-CN": "{field}：{message}"},
    "web.error.required": {"en": "a value is needed", "zh-CN": "必须填写"},
    "web.error.integer": {"en": "'{value}' is not a whole number", "zh-CN": "“{value}”不是整数"},
    "web.error.number": {"en": "'{value}' is not a number", "zh-CN": "“{value}”不是数字"},
    "web.error.range": {
        "en": "{value} is outside {low}–{high}",
        "zh-CN": "{value} 超出范围 {low}–{high}",
    },
    "web.error.date": {
        "en": "'{value}' is not a date (YYYY-MM-DD)",
        "zh-CN": "“{value}”不是日期（年-月-日）",
    },
    "web.back": {"en": "Back to the areas", "zh-CN": "返回片区列表"},
    # ---- units of measure
    "fmt.minutes": {"en": "{n} min", "zh-CN": "{n}分钟"},
    "fmt.hours_minutes": {"en": "{h} h {m:02d} min", "zh-CN": "{h}小时{m}分钟"},
    "fmt.km": {"en": "{km:.1f} km", "zh-CN": "{km:.1f}公里"},
    "fmt.m": {"en": "{m:.0f} m", "zh-CN": "{m:.0f}米"},
    "fmt.next_day": {"en": "{clock} (+1)", "zh-CN": "次日{clock}"},
    "fmt.percent": {"en": "{p:.0f} %", "zh-CN": "{p:.0f}%"},
}

#: The supported languages, the first being the default.
LANGUAGES: Final[tuple[str, ...]] = ("en", "zh-CN")



def _merged() -> dict[str, dict[str, str]]:
    """This module's texts and those of :mod:`maps.catalog`'s parts; a key defined twice fails."""
    from maps.catalog import catalogue_parts

    merged = dict(_RAW)
    for part, texts in catalogue_parts().items():
        for key, value in texts.items():
            if key in merged:
                raise ValueError(f"message key {key!r} of maps.catalog.{part} is already defined")
            merged[key] = value
    return merged


MESSAGES: Final = MappingProxyType({k: MappingProxyType(v) for k, v in _merged().items()})
