"""Labels of stop places (street, crossing, nearby place) and of the field route sheets."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # ---- how a stop is named (maps.sheets.places)
    "place.crossing": {"en": "{street} & {crossing}", "zh-CN": "{street}与{crossing}交叉口"},
    "place.street_near": {"en": "{street} near {crossing}", "zh-CN": "{street}（近{crossing}）"},
    "place.street": {"en": "{street}", "zh-CN": "{street}"},
    "place.with_poi": {"en": "{poi}, {where}", "zh-CN": "{poi}（{where}）"},
    "place.by_poi": {"en": "{where}, by {poi}", "zh-CN": "{where}（{poi}旁）"},
    "place.unnamed_near": {
        "en": "unnamed street, {distance} from {street}",
        "zh-CN": "无名道路，距{street}约{distance}",
    },
    "place.unnamed": {
        "en": "unnamed street (no name in the map data)",
        "zh-CN": "无名道路（地图数据无名称）",
    },
    "place.given_at": {"en": "{name} ({where})", "zh-CN": "{name}（{where}）"},
    "poi.square": {"en": "square", "zh-CN": "广场"},
    "poi.station": {"en": "station", "zh-CN": "车站"},
    "poi.school": {"en": "school", "zh-CN": "学校"},
    "poi.market": {"en": "market", "zh-CN": "市场"},
    "poi.park": {"en": "park", "zh-CN": "公园"},
    "poi.landmark": {"en": "landmark", "zh-CN": "地标"},
    "poi.stop": {"en": "stop", "zh-CN": "公交站"},
    "poi.building": {"en": "building", "zh-CN": "建筑"},
    # ---- field sheet columns and notes
    "sheet.col.street": {"en": "Street / crossing", "zh-CN": "所在道路/路口"},
    "sheet.col.coords": {"en": "Lat, lon", "zh-CN": "纬度, 经度"},
    "sheet.col.window": {"en": "Planned", "zh-CN": "计划时间"},
    "sheet.col.qr": {"en": "Open on phone", "zh-CN": "手机导航"},
    "sheet.unit_page": {
        "en": "Unit {unit} · {mode} · {date}",
        "zh-CN": "巡组 {unit} · {mode} · {date}",
    },
    "sheet.streets_used": {"en": "Streets on the route: {streets}", "zh-CN": "途经道路：{streets}"},
    "sheet.route_qr": {
        "en": "Scan for the start of the route",
        "zh-CN": "扫码在手机地图上打开路线起点",
    },
    "sheet.qr_note": {
        "en": "Each stop's QR code opens its place (geo: link) in the phone's map app.",
        "zh-CN": "扫描各点位二维码（geo:链接）即可在手机地图中打开该点位。",
    },
    "sheet.scale": {"en": "scale 1:{scale}", "zh-CN": "比例尺 1:{scale}"},
    "sheet.street_map_note": {
        "en": "Route on the streets (OSM data), numbered stops, P = station. No web map needed.",
        "zh-CN": "路线按道路绘制（OSM数据），数字为点位序号，P为驻地；无需联网地图。",
    },
}
