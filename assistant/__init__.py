"""政策通: answers about enterprise-relief policies with quoted, jurisdiction-tagged clauses."""
from assistant.core import Assistant
from assistant.errors import AssistantError, BuildError, IndexNotBuilt, IngestError, InputError
from assistant.types import Answer, Citation, Clause, Document, Jurisdiction

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
