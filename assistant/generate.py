"""Optional LLM mode: a chat model words the answer; nothing it writes is shown unchecked.

The extractive answer is composed first and the model sees only its citations' clauses. Every
“quoted” span it writes must be a verbatim part of a cited clause, and every figure must occur in
the cited text; otherwise the extractive answer stands. The tagged quotes are always appended, so
each claim can be checked against its source. Off unless `POLICY_LLM_BASE_URL` is set.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from assistant.compose import citation_block, particulars
from assistant.config import PROJECT_ROOT, Settings
from domain.types import Answer, Citation
from domain.text import without_whitespace

log = logging.getLogger(__name__)
PROMPTS = PROJECT_ROOT / "prompts"
QUOTED = re.compile(r"[“\"「]([^”\"」]+)[”\"」]")
FIGURE = re.compile(r"\d+(?:\.\d+)?")
CITATION_MARK = re.compile(r"\[\d+\]")


def load_prompt(directory: Path = PROMPTS) -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages([
        ("system", (directory / "answer_system.md").read_text(encoding="utf-8")),
        ("human", (directory / "answer_user.md").read_text(encoding="utf-8")),
    ])


def evidence_of(citation: Citation) -> str:
    """Everything the model was shown for one citation, as the checker compares against it."""
    parts = [citation.tag, citation.document.title, citation.clause.text, citation.clause.departments or "",
             citation.valid_until or "", citation.document.date or ""]
    return "\n".join(parts)


def unverified(text: str, citations: tuple[Citation, ...]) -> str | None:
    """Why generated `text` cannot be shown: a quote not found verbatim, or a figure found nowhere."""
    sources = [without_whitespace(evidence_of(c)) for c in citations]
    for quote in QUOTED.findall(text):
        if not any(without_whitespace(quote) in source for source in sources):
            return f"quote not in the sources: {quote[:30]}"
    everything = "".join(sources)
    for figure in FIGURE.findall(CITATION_MARK.sub("", text)):
        if figure not in everything:
            return f"figure not in the sources: {figure}"
    return None


class Writer:
    """Words an answer with a LangChain chat model, then checks it against the citations."""

    def __init__(self, model: BaseChatModel, prompt: ChatPromptTemplate | None = None) -> None:
        self.model = model
        self.prompt = prompt or load_prompt()

    @classmethod
    def from_settings(cls, settings: Settings) -> Writer | None:
        """An OpenAI-compatible endpoint (a hosted model, or a local GGUF served by llama-cpp-python's
        server); None when no endpoint is configured."""
        if not settings.llm_base_url:
            return None
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(
            base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout, max_retries=0, temperature=0,
        )
        return cls(model)

    def write(self, answer: Answer) -> Answer:
        """The answer worded by the model when every quote and figure checks out; else `answer` unchanged."""
        if answer.refused or not answer.citations:
            return answer  # declining is never left to a model
        excerpts = "\n\n".join("\n".join([f"[{n}] {c.tag}《{c.document.title}》", c.clause.text, *particulars(c)])
                               for n, c in enumerate(answer.citations, start=1))
        place = answer.location.name if answer.location else "未说明"
        try:
            reply = self.model.invoke(self.prompt.format_messages(place=place, excerpts=excerpts, question=answer.question))
        except Exception as error:  # any failure of a remote model leaves the extractive answer
            log.warning("LLM call failed, keeping the extractive answer: %s", error)
            return answer
        text = str(reply.content).strip()
        why = unverified(text, answer.citations) if text else "empty reply"
        if why:
            log.warning("LLM answer rejected, keeping the extractive answer: %s", why)
            return answer
        parts = [text, *([answer.notice] if answer.notice else []), citation_block(answer.citations)]
        return replace(answer, text="\n".join(parts), mode="llm")
