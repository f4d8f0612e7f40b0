"""Shared fixtures: the real spaCy pipeline and extractor, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SEED = ROOT / "examples" / "seed_news_dump.txt"


@pytest.fixture(scope="session")
def nlp():
    """The project's spaCy pipeline (with the domain entity ruler)."""
    from sitrep import nlp as nlp_stage

    return nlp_stage.load()


@pytest.fixture(scope="session")
def extractor():
    """One Extractor for the whole session (models and gazetteer loaded once)."""
    from sitrep.pipeline import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def extract(extractor):
    """Extract one text (optionally with a published date) and return the Result."""
    import datetime as dt

    from sitrep.model import Document

    def run(text: str, published: str | None = None, doc_id: str = "t"):
        pub = dt.date.fromisoformat(published) if published else None
        return extractor.extract(Document(id=doc_id, text=text, origin="test", published=pub))

    return run


# --- databases: SQLite files and a throwaway PostgreSQL server ----------------------------------

DEV = SHARED / "articles_dev"


def _pg_bindir() -> Path | None:
    """The folder holding PostgreSQL's server programs (initdb, pg_ctl), if installed."""
    import glob
    import shutil

    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server on loopback for this test session; its base URL (missing binaries: fail in CI, else skip)."""
    import os
    import shutil
    import socket
    import subprocess
    import tempfile

    bindir = _pg_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install -y postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="sitrep-pg-"))
    base.chmod(0o755)
    data = base / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres OS user
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True, text=True)  # noqa: E731
    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    run(str(bindir / "pg_ctl"), "start", "-w", "-D", str(data), "-l", str(base / "log"),
        "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        run(str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL: a SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "sitrep.db")
    import uuid

    import psycopg

    base = request.getfixturevalue("pg_server")
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


@pytest.fixture
def store(db_url):
    """An open store on a fresh database (SQLite and PostgreSQL)."""
    from sitrep.store import Store

    with Store.open(db_url) as s:
        yield s


@pytest.fixture(scope="session")
def dev_documents():
    """The 17 development articles as Documents, published on their gold dates."""
    import datetime as dt
    import json

    from sitrep.model import Document

    docs = []
    for path in sorted(DEV.glob("*.txt")):
        gold = json.loads(path.with_name(path.stem + ".gold.json").read_text("utf-8"))
        published = dt.date.fromisoformat(gold["published"]) if gold.get("published") else None
        docs.append(Document(id=f"dev-{path.stem}", text=path.read_text("utf-8"), origin=str(path), published=published))
    return docs


# --- the web app: one store filled from real-looking articles ----------------------------------------

WEB_ARTICLES = ROOT / "tests" / "web_articles.jsonl"


@pytest.fixture(scope="session")
def web_db(tmp_path_factory, extractor) -> str:
    """A SQLite store holding the extracted and merged events of tests/web_articles.jsonl; its path."""
    from sitrep.ingest import read_inputs
    from sitrep.store import Store, ingest_documents

    path = str(tmp_path_factory.mktemp("web") / "web.db")
    with Store.open(path) as store:
        outcomes = list(ingest_documents(store, read_inputs([str(WEB_ARTICLES)]), lambda: extractor))
    assert {o.outcome for o in outcomes} == {"stored"}
    return path
