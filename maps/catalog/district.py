"""Labels of an area's own district on the web pages: what it has and lacks, and the forms
that upload its boundary, street network, official grid, stations, duties, units and
population."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "web.district.title": {"en": "The district's data", "zh-CN": "辖区基础数据"},
    "web.district.layer": {"en": "Layer", "zh-CN": "图层"},
    "web.district.state": {"en": "State", "zh-CN": "状态"},
    "web.district.file": {"en": "File", "zh-CN": "文件"},
    "web.district.has": {"en": "present", "zh-CN": "已有"},
    "web.district.lacks": {"en": "missing", "zh-CN": "缺少"},
    "web.district.ready": {
        "en": "Ready: plans route on the streets of this district.",
        "zh-CN": "已就绪：巡逻路线将沿本辖区路网生成。",
    },
    "web.district.not_ready": {
        "en": "Not ready yet: see what is missing below.",
        "zh-CN": "尚未就绪：请补齐下表中缺少的数据。",
    },
    "web.district.layer.boundary": {"en": "Boundary", "zh-CN": "辖区边界"},
    "web.district.layer.network": {"en": "Street network (OSM)", "zh-CN": "路网（OSM）"},
    "web.district.layer.official_areas": {
        "en": "Official grid cells",
        "zh-CN": "网格（社区/村）",
    },
    "web.district.layer.stations": {"en": "Stations", "zh-CN": "派出所/驻地"},
    "web.district.layer.duties": {
        "en": "Duties (posts, lines, timed visits)",
        "zh-CN": "勤务（点、线、定时巡查）",
    },
    "web.district.layer.units": {"en": "Units", "zh-CN": "巡组"},
    "web.district.layer.datasets": {"en": "Incident datasets", "zh-CN": "警情数据"},
    "web.district.count": {"en": "{n} item(s)", "zh-CN": "{n} 项"},
    "web.district.with_population": {
        "en": "{n} with population",
        "zh-CN": "其中 {n} 个有实有人口",
    },
    "web.district.illustrative": {
        "en": "an illustrative station at the centre is used",
        "zh-CN": "暂用辖区中心的示意驻点",
    },
    "web.district.lacks.network": {
        "en": "Without it plans use straight lines between stops.",
        "zh-CN": "缺少路网时，路线按直线连接各点。",
    },
    "web.district.lacks.official_areas": {
        "en": "Without it there is no plan on official cells and no staffing norm.",
        "zh-CN": "缺少网格时，无法按网格布警，也无法按人口核定警力。",
    },
    "web.district.lacks.stations": {
        "en": "Units start and end at the centre of the area.",
        "zh-CN": "巡组暂从辖区中心出发并返回。",
    },
    "web.district.lacks.duties": {
        "en": "Plans hold only hotspot and coverage visits.",
        "zh-CN": "方案只包含热点和全覆盖巡查。",
    },
    "web.district.lacks.units": {
        "en": "Plans use the unit counts of the plan form.",
        "zh-CN": "方案按表单中各方式的巡组数量生成。",
    },
    "web.district.lacks.datasets": {
        "en": "Upload incidents to plan.",
        "zh-CN": "请先上传警情数据再生成方案。",
    },
    "web.district.upload": {"en": "Upload", "zh-CN": "上传"},
    "web.district.upload.network": {
        "en": "OSM extract (.osm, .osm.pbf)",
        "zh-CN": "OSM 路网文件（.osm、.osm.pbf）",
    },
    "web.district.upload.official_areas": {
        "en": "Grid cells (GeoJSON, GeoPackage, zipped Shapefile)",
        "zh-CN": "网格面（GeoJSON、GeoPackage、Shapefile 压缩包）",
    },
    "web.district.upload.stations": {
        "en": "Stations (CSV with lat/lon, or points)",
        "zh-CN": "派出所/驻地（含经纬度的 CSV 或点图层）",
    },
    "web.district.upload.duties": {
        "en": "Duties file (CSV or GeoJSON)",
        "zh-CN": "勤务文件（CSV 或 GeoJSON）",
    },
    "web.district.upload.units": {"en": "Units file (CSV)", "zh-CN": "巡组文件（CSV）"},
    "web.district.population": {"en": "Population by cell", "zh-CN": "各网格实有人口"},
    "web.district.population.save": {"en": "Save population", "zh-CN": "保存人口"},
    "web.district.timezone.save": {"en": "Change time zone", "zh-CN": "修改时区"},
    "web.district.saved": {"en": "Saved: {layer}.", "zh-CN": "已保存：{layer}。"},
    "web.district.use_area_units": {
        "en": "Use the area's units ({n})",
        "zh-CN": "使用本辖区巡组（{n} 个）",
    },
    "web.area.add_files": {
        "en": "Add an area from your own files",
        "zh-CN": "用本辖区文件新建片区",
    },
    "web.area.boundary_file": {
        "en": "Boundary (GeoJSON, GeoPackage, zipped Shapefile, KML)",
        "zh-CN": "辖区边界（GeoJSON、GeoPackage、Shapefile 压缩包、KML）",
    },
    "web.area.stations_file": {
        "en": "Stations (optional)",
        "zh-CN": "派出所/驻地（可选）",
    },
    "web.area.official_file": {
        "en": "Grid cells (optional)",
        "zh-CN": "网格面（可选）",
    },
    "web.area.no_boundary": {
        "en": "Choose the boundary file.",
        "zh-CN": "请选择辖区边界文件。",
    },
}
