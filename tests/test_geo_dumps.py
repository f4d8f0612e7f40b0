"""GeoNames dumps loaded by the user: small files in the official formats, written here, loaded into a
private cache, applied to a real index built from the packages."""

import zipfile

import pytest

from sitrep import cli, geo, service
from sitrep.geo import dumps

# The 19 columns of GeoNames' main table (geoname): id, name, asciiname, alternatenames, lat, lon, feature class,
# feature code, country, cc2, admin1, admin2, admin3, admin4, population, elevation, dem, timezone, modified.
VILLAGE = ["990000001", "Khirbat Zawiyat Nabu", "Khirbat Zawiyat Nabu", "Kherbet Zawiat Nabou", "35.812", "36.551",
           "P", "PPL", "SY", "", "12", "990000010", "", "", "0", "", "310", "Asia/Damascus", "2024-01-10"]
HAMLETS = [
    ["990000002", "Market", "Market", "", "35.80", "36.57", "P", "PPL", "SY", "", "12", "", "", "", "0", "", "300",
     "Asia/Damascus", "2024-01-10"],
    ["990000003", "Police", "Police", "", "35.83", "36.59", "P", "PPL", "SY", "", "12", "", "", "", "0", "", "300",
     "Asia/Damascus", "2024-01-10"],
]
STREAM = ["990000004", "Wadi Nabu", "Wadi Nabu", "", "35.81", "36.55", "H", "WAD", "SY", "", "12", "", "", "", "0",
          "", "290", "Asia/Damascus", "2024-01-10"]
# alternateNamesV2: alternateNameId, geonameid, isolanguage, name, isPreferred, isShort, isColloquial, isHistoric,
# from, to
ALTERNATE = [["91000001", "990000001", "en", "Zawiyat Nabou", "", "", "", "", "", ""],
             ["91000002", "990000001", "link", "https://example.org/nabu", "", "", "", "", "", ""]]
# admin2Codes.txt: code, name, ascii name, geonameid
ADMIN2 = [["SY.12.990000010", "Mintaqat Nabu", "Mintaqat Nabu", "990000010"]]


def _tsv(rows):
    return "".join("\t".join(r) + "\n" for r in rows)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A private cache with the dumps loaded and the index built with them."""
    root = tmp_path_factory.mktemp("gn")
    files = root / "files"
    files.mkdir()
    with zipfile.ZipFile(files / "SY.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "GeoNames export of one country\n")
        z.writestr("SY.txt", _tsv([VILLAGE, *HAMLETS, STREAM]))
    with zipfile.ZipFile(files / "alternateNamesV2.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("alternateNamesV2.txt", _tsv(ALTERNATE))
        z.writestr("iso-languagecodes.txt", "ISO 639-3\tISO 639-2\tISO 639-1\tLanguage Name\n")
    (files / "admin2Codes.txt").write_text(_tsv(ADMIN2), "utf-8")
    cache = root / "cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SITREP_CACHE", str(cache))
        seen = []
        loaded = geo.load_dumps(sorted(files.iterdir()), cache, lambda done, total: seen.append((done, total)))
        geo.build_index(geo.default_index_path())
        yield {"cache": cache, "files": files, "loaded": loaded, "progress": seen, "mp": mp}


def test_each_table_is_recognised_and_kept_rows_counted(cache):
    tables = {item.file: (item.table, item.rows) for item in cache["loaded"]}
    assert tables["SY.zip:SY.txt"] == ("places", 3)  # the stream is no place
    assert tables["alternateNamesV2.zip:alternateNamesV2.txt"] == ("alternate names", 1)  # the link is no name
    assert tables["admin2Codes.txt"] == ("admin2 codes", 1)
    assert cache["progress"][-1][0] <= cache["progress"][-1][1]


def test_loading_again_changes_nothing(cache):
    before = (geo.loaded_summary(cache["cache"]), geo.loaded_fingerprint(cache["cache"]))
    geo.load_dumps(sorted(cache["files"].iterdir()), cache["cache"])
    assert (geo.loaded_summary(cache["cache"]), geo.loaded_fingerprint(cache["cache"])) == before


def test_a_loaded_village_resolves_in_its_province_by_any_of_its_names(cache):
    gaz = geo.Gazetteer.open(geo.default_index_path())
    assert geo.default_index_path().name.endswith(f"-gn{geo.loaded_fingerprint(cache['cache'])}.sqlite")
    for name in ("Khirbat Zawiyat Nabu", "Kherbet Zawiat Nabou", "Zawiyat Nabou"):
        loc = gaz.resolve(name, ["SY"])
        assert loc is not None and loc.geonames_id == 990000001, name
        assert loc.admin1 == "Idlib" and loc.precision == "town"


def test_hamlets_named_like_ordinary_words_are_not_found_by_those_words(cache):
    gaz = geo.Gazetteer.open(geo.default_index_path())
    hamlets = {int(h[0]) for h in HAMLETS}
    for word in ("Market", "Police"):
        loc = gaz.resolve(word, ["SY"])
        assert loc is None or loc.geonames_id not in hamlets, word  # Police, Poland is a town of 30,000
    text = "Police said gunmen attacked the Market in Khirbat Zawiyat Nabu, Idlib, on 3 May 2023."
    ctx = geo.country_context(gaz, [text])
    loc = geo.best_place([geo.places_in(gaz, text, [], ctx)], ctx)
    assert loc is not None and loc.geonames_id == 990000001


def test_a_district_known_only_from_admin2_codes_is_a_place(cache):
    gaz = geo.Gazetteer.open(geo.default_index_path())
    loc = gaz.resolve("Mintaqat Nabu", ["SY"])
    assert loc is not None and loc.precision == "district" and loc.admin1 == "Idlib"


def test_the_version_stored_with_reports_names_the_loaded_dumps(cache):
    assert service.current_version().endswith("+gn" + geo.loaded_fingerprint(cache["cache"]))


def test_the_cli_loads_and_info_shows_what_is_loaded(cache, capsys):
    assert cli.main(["gazetteer", "load", str(cache["files"] / "admin2Codes.txt")]) == 0
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "admin2Codes.txt: 1 rows of admin2 codes" in out
    assert "3 places" in out and "from 3 files" in out


def test_a_file_that_is_no_geonames_table_is_refused_by_name(cache, tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("a\tb\tc\n", "utf-8")
    assert cli.main(["gazetteer", "load", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("sitrep: error: notes.txt: 3 tab-separated columns")
    with pytest.raises(ValueError, match="missing.zip: no such file"):
        dumps.load([tmp_path / "missing.zip"], cache["cache"])


def test_pages_read_every_row_once_across_pages(monkeypatch):
    import sqlite3
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t(id INTEGER, name TEXT, PRIMARY KEY(id, name))")
    db.executemany("INSERT INTO t VALUES (?,?)", [(i // 3, f"n{i}") for i in range(20)])
    monkeypatch.setattr(dumps, "BATCH", 4)
    rows = list(dumps._pages(db, "SELECT id, name FROM t WHERE (id, name) > (?, ?) ORDER BY id, name", 2))
    assert rows == sorted((i // 3, f"n{i}") for i in range(20))
