"""The owner chat: ask in plain words, watch the answer stream in, read each cited clause as a card, rate it.

The answer's lead streams in as text; its quotes then appear as cards, which carry everything the
text form of a quote says (place, 文号, clause, department, period) and more, so they are not repeated.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from html import escape

import gradio as gr

from assistant.batch import FOLLOW_UP_TURNS, recent_turns
from assistant.core import Assistant
from domain.errors import AssistantError
from assistant.interfaces.web.feedback import FeedbackStore
from assistant.interfaces.web.render import answer_html
from assistant.interfaces.web.text import SERVER_ERROR, STREAM_PAUSE_S, paragraphs, question_problem, text_pieces

EXAMPLES = [
    "我在鲁山县开饭店，房租能减免吗？",
    "小规模纳税人增值税怎么减免？",
    "湛河区小升规企业有什么奖励？",
    "社保费可以缓缴吗？找哪个部门？",
]
log = logging.getLogger(__name__)


def owner_chat(current: Callable[[], Assistant], feedback: FeedbackStore, place_names: Sequence[str]) -> None:
    """The chat tab's widgets and events, inside the caller's `gr.Blocks`; each question is answered by
    `current()`, the Assistant over the index in service when it is asked."""
    max_chars = current().max_question_chars
    place = gr.Dropdown([("不限（也可以在问题里说明）", "")] + list(place_names), value="", label="您所在的地区",
                        elem_id="owner-place")
    chatbot = gr.Chatbot(label="政策通", height=640, render_markdown=False, elem_id="owner-chat",
                         feedback_options=None, buttons=["copy"])
    with gr.Row():
        message = gr.Textbox(placeholder=EXAMPLES[0], show_label=False, scale=6, elem_id="owner-question",
                             max_length=max_chars)
        send = gr.Button("提问", variant="primary", scale=1, elem_id="owner-send")
    gr.Examples(EXAMPLES, inputs=message, label="试试这些问题")
    with gr.Row():
        helpful = gr.Button("👍 有帮助", scale=1, elem_id="owner-up")
        unhelpful = gr.Button("👎 没帮助", scale=1, elem_id="owner-down")
        comment = gr.Textbox(placeholder="补充意见（可选）", show_label=False, scale=4, elem_id="owner-comment")
    thanks = gr.Markdown(elem_id="owner-thanks")
    turns = gr.State([])  # plain-text history the assistant reads for follow-ups: the last few turns
    # the conversation as shown, kept here: were the chatbot an input, the page would upload it all on every question
    conversation = gr.State([])
    last = gr.State(None)  # the latest answer, for feedback

    def respond(text: str, place_name: str, messages: list, history: list):
        shown = [*messages, {"role": "user", "content": escape(text)}, {"role": "assistant", "content": ""}]
        problem = question_problem(text, max_chars)
        if not problem:
            try:
                answer = current().ask(text, history=recent_turns(history, max_chars), location=place_name or None)
            except AssistantError as error:
                problem = str(error)
            except Exception:
                log.exception("owner chat failed on %r", text)
                problem = SERVER_ERROR
        if problem:
            shown[-1]["content"] = escape(f"⚠️ {problem}")
            yield "", shown, shown, history, None, ""
            return
        lead = paragraphs(answer.text)[0]
        streamed = ""
        for piece in text_pieces(lead):
            streamed += piece
            shown[-1]["content"] = answer_html(streamed, ())
            yield "", shown, shown, history, None, ""
            time.sleep(STREAM_PAUSE_S)
        shown[-1]["content"] = answer_html(lead, answer.citations)
        row = answer.to_dict()
        history = [*history, {"role": "user", "content": text}, {"role": "assistant", "content": answer.text}][-FOLLOW_UP_TURNS:]
        yield "", shown, shown, history, {"question": text, "answer": answer.text, "citations": row["citations"]}, ""

    def rate(latest: dict | None, note: str, rating: int):
        if latest is None:
            return "请先提问，再评价回答。", note
        feedback.add(latest["question"], latest["answer"], latest["citations"], rating, note)
        return "感谢您的反馈！", ""

    asked = dict(fn=respond, inputs=[message, place, conversation, turns],
                 outputs=[message, chatbot, conversation, turns, last, thanks])
    message.submit(**asked)
    send.click(**asked)
    chatbot.clear(lambda: ([], []), None, [conversation, turns])  # the bin button starts a new conversation
    helpful.click(lambda latest, note: rate(latest, note, 1), [last, comment], [thanks, comment])
    unhelpful.click(lambda latest, note: rate(latest, note, -1), [last, comment], [thanks, comment])
