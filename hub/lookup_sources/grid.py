"""British National Grid (EPSG:27700) eastings and northings to WGS84 latitude and longitude.

PROJ (through pyproj) does the conversion: the Transverse Mercator projection on the Airy
ellipsoid and the datum shift from OSGB36. With the OSTN15 grid installed in PROJ's data
folder it uses that (centimetres); without it, the published 7-parameter Helmert shift
(within about 5 m, about 5e-5 degrees), which is ample for showing a property on a map or
sending coordinates with a report. One transformer serves a whole import, in batches.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyproj import Transformer


class GridToWgs84:
    def __init__(self) -> None:
        # always_xy: (easting, northing) in, (longitude, latitude) out, whatever EPSG's axis order.
        self._transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)

    def convert(self, eastings: Sequence[float], northings: Sequence[float]
                ) -> list[tuple[float, float]]:
        """(latitude, longitude) for each point, in order."""
        if not eastings:
            return []
        longs, lats = self._transformer.transform(list(eastings), list(northings))
        return list(zip(lats, longs, strict=True))
