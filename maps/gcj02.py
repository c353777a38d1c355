"""WGS-84 → GCJ-02 ("Mars coordinates"), the datum of AutoNavi/Gaode tiles in China.

Chinese web maps show their tiles in GCJ-02, an obfuscated offset of WGS-84 by a few hundred
metres. Overlays drawn in WGS-84 on such tiles sit beside their streets, so every overlay is
converted before it is drawn. The coordinate maths lives in :mod:`geo.datum` (input reading
converts GCJ-02 and BD-09 input to WGS-84 with it); this module keeps the names maps use.
"""

from __future__ import annotations

from geo.datum import CHINA_BOUNDS, out_of_china, wgs84_to_gcj02

__all__ = ["CHINA_BOUNDS", "out_of_china", "wgs84_to_gcj02"]
