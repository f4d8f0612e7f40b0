"""Shared fixtures: the real spaCy pipeline and extractor, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SEED = ROOT / "examples" / "seed_news_dump.txt"
CI = os.environ.get("CI") == "true"
# Commands run in this process unless a test is about worker processes (a pool takes seconds to start).
os.environ.setdefault("SITREP_WORKERS", "0")


def needs_shared_data(*paths: Path) -> pytest.MarkDecorator:
    """Skip a test whose shared dev data is missing, except under CI=true, where that must fail it instead."""
    missing = [str(p) for p in paths or (SHARED,) if not p.exists()]
    return pytest.mark.skipif(bool(missing) and not CI, reason=f"shared data not found: {', '.join(missing)}")


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


class PgServer:
    """A throwaway PostgreSQL server on loopback, run as the postgres OS user when we are root."""

    def __init__(self, durable: bool = False) -> None:
        import os
        import shutil
        import socket
        import tempfile

        bindir = _pg_bindir()
        if bindir is None:
            message = "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install -y postgresql"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="sitrep-pg-"))
        self.base.chmod(0o755)
        self.data = self.base / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres OS user
            shutil.chown(self.base, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        # fast but not crash-safe; a durable server keeps every acknowledged commit through a crash of its own
        self.options = "" if durable else " -c fsync=off -c synchronous_commit=off"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        import subprocess

        subprocess.run([*self.as_user, str(self.bindir / program), *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.base / "log"), "-o",
                  f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1{self.options}")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (immediate: as a crash would, aborting every transaction in flight)."""
        self._run("pg_ctl", "stop", "-w", "-D", str(self.data), "-m", mode)

    def new_database(self) -> str:
        """The URL of a new, empty database on this server."""
        import uuid

        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url + "/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"{self.url}/{name}"

    def remove(self) -> None:
        """Stop the server and delete its files."""
        import shutil

        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server on loopback for this test session (missing binaries: fail in CI, else skip)."""
    server = PgServer()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def db_url(request, tmp_path):
    """A fresh, empty database URL: a SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "sitrep.db")
    return request.getfixturevalue("pg_server").new_database()


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
    from sitrep.service import ingest_documents
    from sitrep.store import Store

    path = str(tmp_path_factory.mktemp("web") / "web.db")
    with Store.open(path) as store:
        outcomes = list(ingest_documents(store, read_inputs([str(WEB_ARTICLES)]), lambda: extractor))
    assert {o.outcome for o in outcomes} == {"stored"}
    return path
