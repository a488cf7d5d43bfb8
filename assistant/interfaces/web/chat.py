"""The owner chat: ask in plain words, read the answer's lead first, each cited clause as a card, rate each answer once.

The question shows at once with a "正在查找" line while the answer is worked out; the answer then
comes whole (no pretend typing): its lead, and its quotes as cards, which carry everything the text
form of a quote says (place, status, 文号, clause, department, period) and more, so they are not
repeated. The page then scrolls to the answer's start, not to its last card.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from html import escape

import gradio as gr

from assistant.batch import FOLLOW_UP_TURNS, recent_turns
from assistant.core import Assistant
from domain.errors import AssistantError
from assistant.interfaces.web.feedback import FeedbackStore
from assistant.interfaces.web.render import answer_html
from assistant.interfaces.web.text import SERVER_ERROR, paragraphs, question_problem

EXAMPLES = [
    "我在鲁山县开饭店，房租能减免吗？",
    "小规模纳税人增值税怎么减免？",
    "湛河区小升规企业有什么奖励？",
    "社保费可以缓缴吗？找哪个部门？",
]
SEARCHING = '<div class="pt-answer pt-pending">正在查找政策原文…</div>'
# After an answer: its first line at the top of the chat, so the lead is what is read first.
SHOW_ANSWER_START = """() => { requestAnimationFrame(() => {
  const bots = document.querySelectorAll('#owner-chat .message-row.bot-row, #owner-chat .bot');
  const last = bots[bots.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  if (box) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  const top = document.querySelector('#owner-chat').getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight) document.querySelector('#owner-chat').scrollIntoView({block: 'start'});
}); }"""
log = logging.getLogger(__name__)


def owner_chat(current: Callable[[], Assistant], feedback: FeedbackStore, place_names: Sequence[str]) -> None:
    """The chat tab's widgets and events, inside the caller's `gr.Blocks`; each question is answered by
    `current()`, the Assistant over the index in service when it is asked."""
    max_chars = current().max_question_chars
    place = gr.Dropdown([("不限（也可以在问题里说明）", "")] + list(place_names), value="", label="您所在的地区",
                        elem_id="owner-place")
    # no visible label: it would sit over the lead's first characters; the height leaves a phone's input in view
    chatbot = gr.Chatbot(label="政策通对话", show_label=False, height="min(640px, 52vh)", render_markdown=False,
                         elem_id="owner-chat", feedback_options=("Like", "Dislike"), buttons=["copy"],
                         autoscroll=False)
    with gr.Row(equal_height=True):
        # no max_length: the browser would cut a long story silently; a too long question gets the message
        message = gr.Textbox(label="您的问题", placeholder=EXAMPLES[0], show_label=False, scale=6, min_width=200,
                             elem_id="owner-question", lines=1, max_lines=6)
        send = gr.Button("提问", variant="primary", scale=1, min_width=64, elem_id="owner-send")
    comment = gr.Textbox(label="补充意见（可选）", placeholder="补充意见（可选），再点回答下方的 👍 或 👎",
                         show_label=False, elem_id="owner-comment")
    thanks = gr.Markdown(elem_id="owner-thanks")
    gr.Examples(EXAMPLES, inputs=message, label="试试这些问题")
    turns = gr.State([])  # plain-text history the assistant reads for follow-ups: the last few turns
    # the conversation as shown, kept here: were the chatbot an input, the page would upload it all on every question
    conversation = gr.State([])
    answers = gr.State({})  # message index → the answer shown there, for feedback on any answer
    rated = gr.State([])  # message indexes already rated: each answer is rated once

    def respond(text: str, place_name: str, messages: list, history: list, shown_answers: dict):
        problem = question_problem(text, max_chars)
        if problem:  # the typed text stays in the box, to be shortened or completed
            shown = [*messages, {"role": "assistant", "content": escape(f"⚠️ {problem}")}]
            yield text, shown, shown, history, shown_answers
            return
        shown = [*messages, {"role": "user", "content": escape(text)}, {"role": "assistant", "content": SEARCHING}]
        yield "", shown, shown, history, shown_answers
        try:
            answer = current().ask(text, history=recent_turns(history, max_chars), location=place_name or None)
        except AssistantError as error:
            shown[-1]["content"] = escape(f"⚠️ {error}")
            yield "", shown, shown, history, shown_answers
            return
        except Exception:
            log.exception("owner chat failed on %r", text)
            shown[-1]["content"] = escape(f"⚠️ {SERVER_ERROR}")
            yield "", shown, shown, history, shown_answers
            return
        shown[-1]["content"] = answer_html(paragraphs(answer.text)[0], answer.citations)
        row = answer.to_dict()
        history = [*history, {"role": "user", "content": text}, {"role": "assistant", "content": answer.text}][-FOLLOW_UP_TURNS:]
        shown_answers = {**shown_answers,
                         str(len(shown) - 1): {"question": text, "answer": answer.text, "citations": row["citations"]}}
        yield "", shown, shown, history, shown_answers

    def rate(shown_answers: dict, done: list, note: str, like: gr.LikeData):
        index = like.index[0] if isinstance(like.index, (list, tuple)) else like.index
        rated_answer = shown_answers.get(str(index))
        if rated_answer is None:
            return "这条消息不是政策回答，无需评价。", note, done
        if index in done:
            return "这条回答您已经评价过了，谢谢！", note, done
        feedback.add(rated_answer["question"], rated_answer["answer"], rated_answer["citations"],
                     1 if like.liked is True or like.liked == "Like" else -1, note)
        return "感谢您的反馈！", "", [*done, index]

    asked = dict(fn=respond, inputs=[message, place, conversation, turns, answers],
                 outputs=[message, chatbot, conversation, turns, answers], show_progress="hidden")
    for event in (message.submit, send.click):
        event(**asked).then(None, None, None, js=SHOW_ANSWER_START)
    # the bin button starts a new conversation: nothing of the old one is read by the next question
    chatbot.clear(lambda: ([], [], {}, [], ""), None, [conversation, turns, answers, rated, thanks])
    chatbot.like(rate, [answers, rated, comment], [thanks, comment, rated], show_progress="hidden")
