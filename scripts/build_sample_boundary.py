"""Rebuild ``geo/sample/data/portland-central/boundary.geojson`` from the shipped sources.

The Portland sample district's boundary is the convex hull of every node of the OSM street
extract, buffered by 300 m (the incidents were selected within 300 m of the network), and
intersected with the union of the police districts it touches. All 13,300 incidents fall
inside it. Run: ``.venv/bin/python scripts/build_sample_boundary.py``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import shapely

from geo.district import polygonal_outline

DATA = Path(__file__).resolve().parents[1] / "geo" / "sample" / "data" / "portland-central"
WORKING_CRS = 32610  # WGS 84 / UTM zone 10N


def street_node_lonlat(path: Path) -> np.ndarray:
    coords = [
        (node.lon, node.lat)
        for way in osmium.FileProcessor(str(path)).with_locations()
        if way.is_way() and "highway" in way.tags
        for node in way.nodes
        if node.location.valid()
    ]
    return np.asarray(coords)


def main() -> None:
    lonlat = street_node_lonlat(DATA / "portland-central-filtered.osm.pbf")
    nodes = gpd.GeoSeries(gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs=4326)
    hull = shapely.MultiPoint(nodes.to_crs(WORKING_CRS).values).convex_hull.buffer(300)
    districts = gpd.read_file(f"zip://{DATA / 'portland_police_districts.zip'}").to_crs(WORKING_CRS)
    touched = districts[districts.intersects(hull)].union_all()
    boundary = shapely.intersection(touched, hull)
    out = gpd.GeoDataFrame(
        {"name": ["Central Portland sample district"]}, geometry=[boundary], crs=WORKING_CRS
    ).to_crs(4326)
    # Reprojection can leave a degenerate ring; repair so readers need not.
    out["geometry"] = [polygonal_outline(g) for g in out.geometry]
    if not out.geometry.is_valid.all() or out.geom_type.iloc[0] not in ("Polygon", "MultiPolygon"):
        raise SystemExit("the boundary could not be made a valid polygon")
    out.to_file(DATA / "boundary.geojson", driver="GeoJSON")
    print(f"wrote {DATA / 'boundary.geojson'}: {boundary.area / 1e6:.1f} km²")


if __name__ == "__main__":
    main()
