"""Quotes: whole sentences of one numbered item, the one that answers first; and when the evidence answers at all."""
import re

from assistant.compose import DATE, FIGURE, answers, best_quote, compose, lead_candidates
from assistant.understand import understand
from domain.text import sentences, tokens
from domain.types import Clause, Corpus, Hit

LOAN = (
    "2．支持高校毕业生等群体自主创业。符合财政贴息申请条件的个人，可申请最高20万元的财政贴息创业担保贷款；"
    "合伙创业和组织起来就业的，可申请最高150万元的财政贴息创业担保贷款。享受财政贴息创业担保贷款的次数最高可达3次。"
)


def strong_hit(corpus: Corpus, clause: Clause, order: float = 0.9) -> Hit:
    """A hit on `clause` relevant enough to be answered, at `order` in the ranking."""
    passage = next(p for p in corpus.passages if p.clause_id == clause.id)
    return Hit(passage.id, clause.id, passage.doc_id, {"relevance": 0.9, "rerank": 0.9, "order": order})


def test_a_question_for_a_figure_is_answered_by_the_sentence_that_states_it():
    quote = best_quote(LOAN, ["创业", "担保", "贷款", "个人"], FIGURE, max_sentences=1)
    assert "20万元" in quote and quote.startswith("符合")


def test_neighbouring_sentences_are_added_when_they_hold_more_of_the_question():
    quote = best_quote(LOAN, ["个人", "合伙", "贷款"], FIGURE)
    assert "20万元" in quote and "150万元" in quote
    assert quote in LOAN  # verbatim, whole sentences


def test_a_quote_never_runs_into_the_next_numbered_item():
    text = "12．引导平台企业下调商户服务费。给予阶段性商户服务费优惠。\n13．允许失业保险、工伤保险基金结余较多的省份对餐饮企业缓缴失业保险、工伤保险费。"
    quote = best_quote(text, ["服务费", "失业保险", "缓缴"])
    assert not re.search(r"优惠。13．", quote)


def test_a_heading_is_never_quoted():
    text = "三、减轻房租压力\n对承租国有房屋的小微企业，免除3个月租金。"
    assert best_quote(text, ["房租"]) == "对承租国有房屋的小微企业，免除3个月租金。"


def test_a_quote_keeps_the_context_that_fits_around_the_answering_sentence():
    text = ("对餐饮、零售、旅游企业阶段性实施缓缴失业保险、工伤保险费政策。上述行业中有雇工的个体工商户参照企业办法缓缴。"
            "失业保险费、工伤保险费缓缴费款所属期为2022年4月至2023年3月。")
    assert "2023年3月" in best_quote(text, ["餐饮", "缓缴", "失业保险"])


def test_a_number_of_the_question_counts_only_as_a_whole_number():
    words = ["折旧", "10"]
    assert answers("最低折旧年限为4年、5年、10年的，单位价值的50%", words) == 2
    assert answers("最低折旧年限为3年的，单位价值的100%可在当年一次性税前扣除", words) == 1


def test_a_date_is_a_day_month_or_end_of_year_not_a_year_alone():
    for dated in ("补足时间延期至2022年12月31日", "2022年6月底前", "执行期到2022年年底", "政策延续至2023年"):
        assert DATE.search(dated), dated
    assert not DATE.search("24．2022年继续实施旅行社暂退旅游服务质量保证金扶持政策")


def test_a_period_is_a_figure_in_days_hours_or_minutes_too():
    for stated in ("1个工作日内完成信用修复申请审核", "拥堵时间超过30分钟的", "48小时内核酸检测阴性证明", "三个工作日内办结"):
        assert FIGURE.search(stated), stated


def test_a_confident_reading_answers_when_relevance_is_weak_and_the_floor_still_declines(corpus):
    passage = next(p for p in corpus.passages if "房租" in p.text)
    query = understand("If a shop rents a state-owned building, how many months are waived?")

    def answered(reader: float, **thresholds) -> bool:
        hit = Hit(passage.id, passage.clause_id, passage.doc_id,
                  {"relevance": 0.45, "rerank": 0.5, "order": 0.6, "reader": reader})
        return not compose(query, [hit], corpus, ["房租"], "2026-11-23", 5, 0.54, {}, **thresholds).refused

    assert not answered(6.5, reader_floor=-5.0)  # weak relevance declines, the reader not trusted alone
    assert answered(6.5, reader_floor=-5.0, reader_confident=6.0)
    assert not answered(5.5, reader_floor=-5.0, reader_confident=6.0)
    assert not answered(-6.0, reader_floor=-5.0, reader_confident=-7.0)  # at or below the floor: declined


def test_a_quote_cut_around_a_sentence_holds_it_with_what_fits_beside_it():
    last = "享受财政贴息创业担保贷款的次数最高可达3次。"
    quote = best_quote(LOAN, ["个人", "合伙", "贷款"], FIGURE, around=last)
    assert last in quote and quote in LOAN
    assert "150万元" in quote  # its neighbour holds more of the question and fits


def test_the_lead_may_be_any_sentence_of_the_clause_stating_the_detail_asked():
    assert lead_candidates(LOAN, FIGURE) == [
        "符合财政贴息申请条件的个人，可申请最高20万元的财政贴息创业担保贷款；",
        "合伙创业和组织起来就业的，可申请最高150万元的财政贴息创业担保贷款。",
        "享受财政贴息创业担保贷款的次数最高可达3次。"]
    assert lead_candidates(LOAN, DATE) == lead_candidates(LOAN) and not any(
        s.startswith("2．") for s in lead_candidates(LOAN))  # none dated: every sentence but the heading


def test_the_chosen_lead_outside_the_words_quote_is_quoted_and_leads(corpus):
    clause = max((c for c in corpus.clauses if len(sentences(c.text)) >= 6), key=lambda c: len(sentences(c.text)))
    words = [w for w in tokens(sentences(clause.text)[0]) if len(w) > 1][:4]
    hit = strong_hit(corpus, clause)
    last = lead_candidates(clause.text)[-1]
    plain = compose(understand("这条政策怎么规定的？"), [hit], corpus, words, "2026-11-23", 5, 0.54, {})
    assert last not in plain.citations[0].quote  # the words quote the clause's start

    chosen = compose(understand("这条政策怎么规定的？"), [hit], corpus, words, "2026-11-23", 5, 0.54, {},
                     lead_sentence=lambda citation, parts, detail: parts[-1])
    assert chosen.text.split("\n")[0].endswith(f"：{last}")
    assert last in chosen.citations[0].quote and chosen.citations[0].quote in clause.text.replace("\n", "")


def test_the_reader_is_offered_the_sentences_stating_what_was_asked_though_the_words_prefer_another(corpus):
    clause = next(c for c in corpus.clauses if "补足时间" in c.text and "暂退标准" in c.text)
    query = understand("旅行社暂退的那部分质量保证金，啥时候之前要补交回去？", location="焦作市")
    words = tokens(query.search_text)
    hit = strong_hit(corpus, clause)
    offered = []
    answer = compose(query, [hit], corpus, words, "2026-11-23", 5, 0.54, {},
                     lead_sentence=lambda citation, parts, detail: offered.extend(parts) or parts[0])
    assert offered and all(DATE.search(part) for part in offered)
    assert "2022年12月31日" in answer.text.split("\n")[0]


def test_the_reader_is_not_offered_sentences_stating_it_for_others_than_the_asker(corpus):
    # the province's clause gives 国有 premises' tenants months of rent, and 非国有 ones' landlords a 20% reward
    clause = next(c for c in corpus.clauses if "规范有序推进国有资产类经营用房租金减免" in c.text and "承租非国有" in c.text)
    query = understand("租的是私人房东的门面，房租减免有什么政策？多少？", location="焦作市")
    offered = []
    answer = compose(query, [strong_hit(corpus, clause)], corpus, tokens(query.search_text), "2026-11-23", 5, 0.54,
                     {}, lead_sentence=lambda citation, parts, detail: offered.extend(parts) or parts[0])
    assert offered and not any("国有" in part.replace("非国有", "") for part in offered)
    assert "非国有" in answer.text.split("\n")[0]


def test_a_figure_stated_by_a_neighbouring_measure_of_the_same_place_does_not_answer(corpus):
    def hit(place: str, label: str, needle: str, order: float) -> Hit:
        clause = next(c for c in corpus.clauses if c.label == label and needle in c.text
                      and corpus.document(c.doc_id).jurisdiction.name == place)
        return strong_hit(corpus, clause, order)

    query = understand("鲁山县办电的线上并联审批时限是多少天？", location="鲁山县")
    hits = [hit("鲁山县", "五、", "银企对接", 0.9),  # the top rule states no period
            hit("鲁山县", "七、", "容缺办理", 0.8),  # its neighbour states investment projects' 60个工作日
            hit("河南省", "一、", "三零", 0.7)]  # the province's rule states 电力接入's
    answer = compose(query, hits, corpus, tokens(query.search_text), "2026-11-23", 5, 0.54, {})
    lead = answer.text.split("\n")[0]
    assert "5个工作日" in lead and "60个工作日" not in lead and lead.startswith("据河南省")


def test_an_award_for_another_recognised_platform_is_not_the_askers(corpus):
    # 焦作 rewards 国家级、省级、市级 文化和科技融合示范基地 (50万元、20万元、10万元): the levels fit a 市级 lab, the platform does not
    clause = next(c for c in corpus.clauses if "文化和科技融合示范基地，分别给予" in c.text)

    def ask(question: str):
        query = understand(question, location="焦作市")
        return compose(query, [strong_hit(corpus, clause)], corpus, tokens(query.search_text), "2026-11-23", 5, 0.54, {})

    declined = ask("我们是焦作市级重点实验室，市里奖励多少？")
    assert declined.refused and "没有写明重点实验室" in declined.text
    answered = ask("我们是焦作市级文化和科技融合示范基地，市里奖励多少？")
    assert not answered.refused and "10万元" in answered.text.split("\n")[0]


def test_a_time_to_pay_or_reply_is_answered_only_by_a_limit_in_days_or_hours(corpus):
    def ask(question: str, needle: str, location: str):
        clause = next(c for c in corpus.clauses if needle in c.text)
        query = understand(question, location=location)
        return compose(query, [strong_hit(corpus, clause)], corpus, tokens(query.search_text), "2026-11-23", 5, 0.54, {})

    # 湛河区's 稳岗返还 clause says who gets it, not when the money arrives
    declined = ask("失业保险稳岗返还申请以后，钱多久能到账？", "稳岗返还", "湛河区")
    assert declined.refused and "没有写明办理或到账的时限" in declined.text
    answered = ask("电力接入的线上并联审批，多长时间能办结？", "线上并联审批时限", "鲁山县")
    assert not answered.refused and "5个工作日" in answered.text.split("\n")[0]


def test_whether_money_received_is_paid_back_is_answered_only_where_a_rule_says_so(corpus):
    # 湛河区 gives a 首次入库 工业企业 5万元 and says nothing of a firm that later drops out of the statistics
    clause = next(c for c in corpus.clauses if "对首次入库的工业企业，给予5万元" in c.text and corpus.document(c.doc_id).jurisdiction.name == "湛河区")
    query = understand("首次入库领了5万元奖励，第二年退规了，奖励要不要退回？", location="湛河区")
    answer = compose(query, [strong_hit(corpus, clause)], corpus, tokens(query.search_text), "2026-11-23", 5, 0.54, {})
    assert answer.refused and "没有写明已得资金是否退回" in answer.text
