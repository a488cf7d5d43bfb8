"""The Q&A set is valid: quotes are found in their files, ids unique, types and splits known."""
from collections import Counter

from eval.cases import SPLITS, TYPES, load_cases
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
