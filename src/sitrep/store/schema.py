"""The database schema: named migrations, applied in order, each in one transaction (`Connection.migrate`).

Names and SQL both dialects accept: TEXT dates (ISO, so they sort), DOUBLE PRECISION, BOOLEAN.
"""

MIGRATIONS: list[tuple[str, list[str]]] = [
    ("0001_initial", [
        """CREATE TABLE documents (
            id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, origin TEXT, url TEXT, source TEXT,
            published TEXT, language TEXT, title TEXT, text TEXT NOT NULL, html TEXT, skipped TEXT,
            extractor_version TEXT NOT NULL, ingested_at TEXT NOT NULL)""",
        "CREATE INDEX documents_content_hash ON documents (content_hash)",
        "CREATE INDEX documents_extractor_version ON documents (extractor_version)",
        "CREATE TABLE sources (name TEXT PRIMARY KEY)",
        """CREATE TABLE articles (
            document_id TEXT NOT NULL, idx INTEGER NOT NULL, headline TEXT, caption TEXT, text TEXT NOT NULL,
            published TEXT, PRIMARY KEY (document_id, idx))""",
        "CREATE TABLE actors (name TEXT PRIMARY KEY, type TEXT, country TEXT)",
        """CREATE TABLE places (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, admin1 TEXT, country TEXT, iso2 TEXT,
            lat DOUBLE PRECISION, lon DOUBLE PRECISION, geonames_id INTEGER, place_precision TEXT)""",
        """CREATE TABLE reports (
            id TEXT PRIMARY KEY, document_id TEXT NOT NULL, idx INTEGER NOT NULL, article INTEGER NOT NULL,
            event_type TEXT, sub_event_type TEXT, date TEXT, date_end TEXT, date_precision TEXT, date_reason TEXT,
            place_id TEXT, actor1 TEXT, actor2 TEXT, fatalities INTEGER NOT NULL, fatalities_low INTEGER,
            fatalities_high INTEGER, salience DOUBLE PRECISION, notes TEXT, source TEXT, url TEXT, published TEXT,
            country_key TEXT, extractor_version TEXT NOT NULL)""",
        "CREATE INDEX reports_document ON reports (document_id)",
        "CREATE INDEX reports_neighbourhood ON reports (country_key, date)",
        "CREATE TABLE evidence (report_id TEXT NOT NULL, idx INTEGER NOT NULL, sentence TEXT NOT NULL, "
        "PRIMARY KEY (report_id, idx))",
        """CREATE TABLE claims (
            report_id TEXT NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL, count_value INTEGER,
            count_high INTEGER, as_written TEXT NOT NULL, qualifier TEXT NOT NULL, subject TEXT, claimant TEXT,
            part_of INTEGER, superseded BOOLEAN NOT NULL, superseded_in_event BOOLEAN NOT NULL,
            article INTEGER NOT NULL, field_name TEXT NOT NULL, start_offset INTEGER NOT NULL,
            end_offset INTEGER NOT NULL, sentence TEXT NOT NULL, sentence_start INTEGER NOT NULL,
            PRIMARY KEY (report_id, idx))""",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY, event_type TEXT, sub_event_type TEXT, date TEXT, date_end TEXT,
            date_precision TEXT, date_reason TEXT, place_id TEXT, actor1 TEXT, actor2 TEXT,
            fatalities INTEGER NOT NULL, fatalities_low INTEGER, fatalities_high INTEGER, country_key TEXT,
            primary_report TEXT NOT NULL, n_reports INTEGER NOT NULL, extractor_version TEXT NOT NULL)""",
        "CREATE INDEX events_date ON events (date)",
        "CREATE TABLE event_reports (event_id TEXT NOT NULL, report_id TEXT NOT NULL, pos INTEGER NOT NULL, "
        "PRIMARY KEY (event_id, report_id))",
        "CREATE INDEX event_reports_report ON event_reports (report_id)",
        "CREATE TABLE event_reasons (event_id TEXT NOT NULL, idx INTEGER NOT NULL, reason TEXT NOT NULL, "
        "PRIMARY KEY (event_id, idx))",
    ]),
    ("0002_syndication_and_feeds", [
        # the wire a story credits, its MinHash, and the first stored document of the same story
        "ALTER TABLE documents ADD COLUMN wire TEXT",
        "ALTER TABLE documents ADD COLUMN signature TEXT",
        "ALTER TABLE documents ADD COLUMN copy_of TEXT",
        "CREATE INDEX documents_copy_of ON documents (copy_of)",
        "CREATE TABLE document_bands (band TEXT NOT NULL, document_id TEXT NOT NULL, PRIMARY KEY (band, document_id))",
        "CREATE INDEX document_bands_document ON document_bands (document_id)",
        "CREATE TABLE feed_items (item_key TEXT PRIMARY KEY, feed TEXT NOT NULL, seen_at TEXT NOT NULL)",
    ]),
    ("0003_claims_carry_the_toll_rule", [
        # what the toll rule needs, read once at extraction (sitrep.tolls): no later step re-derives it
        "ALTER TABLE claims ADD COLUMN group_counted TEXT NOT NULL DEFAULT 'all'",
        "ALTER TABLE claims ADD COLUMN is_update BOOLEAN NOT NULL DEFAULT FALSE",
        "ALTER TABLE claims ADD COLUMN coded INTEGER",
        "ALTER TABLE claims ADD COLUMN stated BOOLEAN NOT NULL DEFAULT FALSE",
        "CREATE INDEX documents_story ON documents (COALESCE(copy_of, id))",
    ]),
    ("0004_reports_say_what_typed_them", [
        # sitrep.events: the rules, the learned model, or both; and how sure (DESIGN.md's contract)
        "ALTER TABLE reports ADD COLUMN type_source TEXT",
        "ALTER TABLE reports ADD COLUMN type_confidence DOUBLE PRECISION",
    ]),
    ("0005_places_say_near_and_mentioned", [
        # "near Y", "the village of X near Y": a place row is a place as the text places it (DESIGN.md's contract)
        "ALTER TABLE places ADD COLUMN near BOOLEAN NOT NULL DEFAULT FALSE",
        "ALTER TABLE places ADD COLUMN mentioned TEXT",
    ]),
    ("0006_claims_say_incident_and_aggregate", [
        # a total over many incidents is shown, never added; each claim names its incident and its claimant's one name
        "ALTER TABLE claims ADD COLUMN aggregate BOOLEAN NOT NULL DEFAULT FALSE",
        "ALTER TABLE claims ADD COLUMN incident INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE claims ADD COLUMN claimant_canonical TEXT",
    ]),
]  # fmt: skip