"""The tile server the settings name, as URL templates the map fills in, or the reason there are no tiles.

Tianditu (天地图, the national map service) draws in CGCS2000, which is WGS-84 to within centimetres: our
points go on it as they are; it needs the township's key (tk). AMap/Gaode draws in GCJ-02: points are
shifted before they are placed. A tile server of the township's own (`map_tile_url`) stands in for the
provider's address; the provider still says which coordinates its tiles are drawn in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Mapping

from app.settings import Settings

TIANDITU, AMAP, NONE = "tianditu", "amap", "none"

_TIANDITU = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
             "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
             "&tk={key}")
_AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class TilesOff(StrEnum):
    """Why the map draws its markers on a plain grid (each has its message in the catalog)."""

    NONE = "none"  # the settings say no tiles
    NO_KEY = "no_key"  # Tianditu without a key
    FAILED = "failed"  # the tile server did not answer (found while drawing)

    @property
    def message_key(self) -> str:
        return f"map.tiles.{self.value}"


@dataclass(frozen=True)
class TileLayerSpec:
    """One layer of tiles: its URL template and the values of its placeholders besides {x} {y} {z} {s}."""

    url_template: str
    subdomains: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TileSource:
    """Where the tiles come from, which coordinates they are drawn in, and whom to credit."""

    provider: str
    layers: tuple[TileLayerSpec, ...]
    gcj02: bool  # points are shifted WGS-84 → GCJ-02 before they are placed
    attribution_key: str
    max_zoom: int = 18

    def url(self, x: int, y: int, z: int, layer: int = 0) -> str:
        """The address of one tile of a layer (its first subdomain): what the map asks for."""
        spec = self.layers[layer]
        return expand(spec.url_template, x=x, y=y, z=z, s=spec.subdomains[0] if spec.subdomains else "",
                      **spec.options)


def expand(template: str, **values: object) -> str:
    """Fill a tile URL template's {placeholders}; one without a value is left as it is."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def tile_source(settings: Settings) -> TileSource | TilesOff:
    """The tile source the settings name, or why there is none."""
    provider, own, key = settings.map_tiles, settings.map_tile_url.strip(), settings.tianditu_key.strip()
    if provider == NONE:
        return TilesOff.NONE
    if provider == AMAP:
        layer = TileLayerSpec(own, options={"key": key}) if own else TileLayerSpec(_AMAP, ("1", "2", "3", "4"))
        return TileSource(AMAP, (layer,), gcj02=True, attribution_key="map.attribution.amap")
    if own:
        return TileSource(TIANDITU, (TileLayerSpec(own, options={"key": key}),), gcj02=False,
                          attribution_key="map.attribution.tianditu")
    if not key:
        return TilesOff.NO_KEY
    eight = tuple(str(n) for n in range(8))
    # The streets (vec) and, above them, the Chinese place names (cva).
    layers = tuple(TileLayerSpec(_TIANDITU, eight, {"layer": name, "key": key}) for name in ("vec", "cva"))
    return TileSource(TIANDITU, layers, gcj02=False, attribution_key="map.attribution.tianditu")
