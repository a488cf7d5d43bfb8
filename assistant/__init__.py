"""政策通: answers about enterprise-relief policies with quoted, jurisdiction-tagged clauses."""
from assistant.core import Assistant
from domain.errors import AssistantError, BuildError, IndexNotBuilt, IngestError, InputError
from domain.types import Answer, Citation, Clause, Document, Jurisdiction

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "BuildError",
    "Citation",
    "Clause",
    "Document",
    "IndexNotBuilt",
    "IngestError",
    "InputError",
    "Jurisdiction",
]
