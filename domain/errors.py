"""Domain errors. The library raises these; only the interfaces turn them into exit codes or HTTP statuses."""


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class InputError(AssistantError):
    """A question, row or argument that cannot be used as it is."""


class IngestError(AssistantError):
    """A file that cannot be read or parsed into documents; the index is left untouched."""


class IndexNotBuilt(AssistantError):
    """The index is missing or incomplete; run `python -m assistant build`."""


class ReaderNotReady(AssistantError):
    """The reader's base model or trained delta is missing or does not check out; the message says how to fix it."""


class BuildError(AssistantError):
    """A build or ingest that could not run or did not finish; the index in service is left as it was."""
