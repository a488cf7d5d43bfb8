"""A small slice of the Q&A set runs end to end through the batch interface and is scored."""
from eval.cases import load_cases
from eval.run import run_system, score, verdict
from index.clean import layout_free
from tests.conftest import RAW


def test_a_slice_runs_through_the_batch_interface_and_is_scored(assistant):
    cases = load_cases()
    chosen = [c for c in cases if c.split == "dev" and c.gold][:4] + [c for c in cases if c.type == "out-of-scope"][:2]
    rows = run_system(assistant, chosen)
    assert set(rows) == {c.id for c in chosen}
    sources = {p.name: layout_free(p.read_text(encoding="utf-8")) for p in RAW.glob("*.txt")}
    metrics = score(chosen, rows, sources)
    assert metrics["verbatim"] == 1.0
    assert metrics["fully tagged"] == 1.0
    assert 0.0 <= metrics["hit@5"] <= 1.0 and metrics["latency p50 ms"] > 0


def test_the_report_says_plainly_which_targets_are_missed():
    systems = {"政策通": {"hit@5": 0.93, "hit@1": 0.65, "false refusals": 0.02},
               "BM25 only": {"hit@5": 0.95, "hit@1": 0.50, "false refusals": 0.0}}
    assert verdict("hit@5", systems) == ("≥ 0.9 and > every baseline", "**MISSED**")  # behind BM25
    assert verdict("hit@1", systems)[1] == "**MISSED**"  # below 0.70
    assert verdict("false refusals", systems) == ("≤ 0.05", "met")
    assert verdict("median quote chars", {"政策通": {"median quote chars": 100}}) == ("", "")
