"""One real Elasticsearch node for the whole test run, the real embedding model and parser, and a real
headless Chromium for the UI.

MORGUE_ES_URL set: tests use that cluster. Unset: an ephemeral managed node on a free port, with its
own data directory, stopped when the session ends (pass or fail)."""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from indexer.local_es import LocalNode
from indexer.settings import Settings
from morgue.core import Morgue
from search_api import watch_store


@pytest.fixture(scope="session")
def es_url() -> str:
    settings = Settings()
    if settings.es_url:
        yield settings.es_url
        return
    node_dir = Path(tempfile.mkdtemp(prefix="morgue-test-es-"))
    node = LocalNode(node_dir, settings.home, heap=os.environ.get("MORGUE_TEST_ES_HEAP", "1g"), dist=settings.es_dist)
    try:
        state = node.start(port=None)
        yield state.url
    finally:
        node.stop()
        shutil.rmtree(node_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def morgue(es_url) -> Morgue:
    """The composition root of the test run: the real node and the real encoder."""
    root = Morgue(Settings(es_url=es_url))
    yield root
    root.close()


@pytest.fixture(scope="session")
def es(morgue):
    return morgue.es


@pytest.fixture(scope="module")
def index_prefix(request, es) -> str:
    """Index names private to one test module; everything under them is deleted afterwards."""
    prefix = f"test-{request.module.__name__.split('.')[-1].replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    yield prefix
    # Deleting by wildcard is refused (action.destructive_requires_name): name each index.
    names = list(es.indices.get(index=f"{prefix}*", expand_wildcards="all"))
    if names:
        es.indices.delete(index=",".join(names))


@pytest.fixture(scope="session")
def embedder(morgue):
    return morgue.embedder


@pytest.fixture(scope="session")
def shared_dir() -> Path | None:
    """The shared corpora (MORGUE_SHARED). Tests that need them skip when it is unset and fail when it
    is set but the data is missing."""
    value = os.environ.get("MORGUE_SHARED")
    if not value:
        return None
    path = Path(value)
    assert (path / "data").is_dir(), f"MORGUE_SHARED={value} has no data/ folder"
    return path


@pytest.fixture
def shared(shared_dir) -> Path:
    if shared_dir is None:
        pytest.skip("MORGUE_SHARED is not set")
    return shared_dir


SAMPLE_ARCHIVE = Path(__file__).resolve().parents[1] / "sample_archive"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile.jsonl"  # markup in title, text and quote
BBC_SUBSET = 300  # spread over BBC's five folders: enough distractors, under a minute to embed


@pytest.fixture(scope="session")
def archive_alias(es, embedder, shared_dir, morgue) -> str:
    """One searchable index for the API and UI tests: the sample archive and a hostile article, and with
    MORGUE_SHARED the two seed articles plus a slice of BBC News as distractors."""
    from indexer.pipeline import Indexer
    from indexer.listing import iter_files

    alias = f"test-archive-{uuid.uuid4().hex[:6]}"
    cache = Path(tempfile.mkdtemp(prefix="morgue-test-cache-"))
    paths = [SAMPLE_ARCHIVE, HOSTILE]
    if shared_dir is not None:
        bbc = [item[0] for item in iter_files([shared_dir / "data" / "bbc"]) if isinstance(item, tuple) and item[0].stem.isdigit()]
        paths += [shared_dir / "seeds"] + bbc[:: max(len(bbc) // BBC_SUBSET, 1)][:BBC_SUBSET]
    summary = Indexer(es, embedder, alias, cache, morgue.nlp).run(paths, quiet=True)
    assert summary.counts["rejected"] == 0, summary.rejected
    yield alias
    names = list(es.indices.get_alias(name=alias))
    es.indices.delete(index=",".join(names))
    watch_store.forget(es, alias)  # the watches the UI and batch tests made
    shutil.rmtree(cache, ignore_errors=True)


def app_for(es_url: str, alias: str, **settings):
    """The whole app (API and pages) over an alias, with settings of a test's own (api_keys, …)."""
    return Morgue(Settings(es_url=es_url, **settings), alias).app()


@pytest.fixture(scope="session")
def make_app():
    return app_for


@pytest.fixture(scope="session")
def api(es_url, archive_alias):
    from fastapi.testclient import TestClient

    with TestClient(app_for(es_url, archive_alias)) as client:
        yield client


@pytest.fixture(scope="session")
def seed_ids(api, shared_dir) -> dict[str, str]:
    """{outlet: article id} of the two seed articles (found through the API)."""
    if shared_dir is None:
        pytest.skip("MORGUE_SHARED is not set")
    hits = api.get("/api/search", params={"q": '"sovereign decision"', "mode": "keyword", "size": 10}).json()["hits"]
    return {h["outlet"]: h["id"] for h in hits}


# ---- the UI in a real headless Chromium, served by uvicorn from the same app as the API

import uvicorn  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

ARTIFACTS = Path(os.environ.get("MORGUE_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts"))
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--window-size=1280,1600")


def _find(*names: str) -> str:
    for name in names:
        if path := shutil.which(name):
            return path
    raise AssertionError(f"none of {names} is installed: `apt-get install chromium chromium-driver` (make test does)")


@contextmanager
def serving(app):
    """An app served by uvicorn on a free port, in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(es_url, archive_alias, make_app):
    with serving(make_app(es_url, archive_alias)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = _find("chromium", "chromium-browser")
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=_find("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser screenshots go (artifacts/, or MORGUE_ARTIFACTS)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def serve_app():
    """serving(app) as a fixture: `with serve_app(app) as url: ...`."""
    return serving
