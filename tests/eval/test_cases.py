"""The Q&A set is valid: quotes are found in their files, ids unique, types and splits known."""
from collections import Counter

from eval.cases import SPLITS, TYPES, Case, load_cases, with_copies
from tests.conftest import RAW


def test_the_set_has_at_least_200_cases_with_unique_ids():
    cases = load_cases()
    assert len(cases) >= 200
    assert len({c.id for c in cases}) == len(cases)


def test_types_and_splits_are_valid_and_test_is_at_least_40_percent():
    cases = load_cases()
    assert {c.type for c in cases} <= TYPES
    assert {c.split for c in cases} <= SPLITS
    assert Counter(c.split for c in cases)["test"] >= 0.4 * len(cases)
    assert {c.type for c in cases} == TYPES  # every type is present


def test_every_gold_quote_is_10_to_60_chars_of_one_source_line():
    lines = {p.name: p.read_text(encoding="utf-8").splitlines() for p in RAW.glob("*.txt")}
    for case in load_cases():
        for gold in case.gold:
            assert 10 <= len(gold["quote"]) <= 60, case.id
            assert any(gold["quote"] in line for line in lines[gold["file"]]), case.id


def test_out_of_scope_cases_have_no_gold_and_the_others_do():
    for case in load_cases():
        assert (case.type == "out-of-scope") == (not case.gold), case.id


def test_every_document_of_the_catalogue_is_covered_by_some_case(corpus):
    lines = {p.name: p.read_text(encoding="utf-8").splitlines() for p in RAW.glob("*.txt")}
    covered = set()
    for case in load_cases():
        for gold in case.gold:
            number = next(i for i, line in enumerate(lines[gold["file"]], start=1) if gold["quote"] in line)
            for d in corpus.documents:
                if d.source.file == gold["file"] and d.source.start_line <= number <= d.source.end_line:
                    covered.add(d.id)
    missing = [d.title for d in corpus.documents if d.id not in covered]
    assert not missing


def test_a_gold_quote_is_also_found_in_another_printing_of_its_document(corpus):
    """The province's 小升规 plan is printed in its own file and in a compilation: a quote of one copy is gold in
    both, and a quote of a document printed once keeps its one file."""
    plan = [d for d in corpus.documents if d.title == "促进小微工业企业上规模实施方案"]
    assert len({d.source.file for d in plan}) == 2
    quoted = Case(id="c", question="q", history=[], location=None, type="fact", split="dev",
                  gold=[{"file": plan[0].source.file, "quote": "对属于科技型中小企业（在有效期内）的首次"}], facts=[])
    once = Case(id="d", question="q", history=[], location=None, type="fact", split="dev",
                gold=[{"file": "001_6b566a817978cf44.txt", "quote": "（责任单位：湛河自然资源和规划分局"}], facts=[])
    copied, kept = with_copies([quoted, once], corpus)
    assert {g["file"] for g in copied.gold} == {d.source.file for d in plan}
    assert all(g["quote"] == "对属于科技型中小企业（在有效期内）的首次" for g in copied.gold)
    assert kept is once
