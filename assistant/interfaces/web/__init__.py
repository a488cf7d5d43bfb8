"""The web interfaces on one server: owner chat and hotline desk (Gradio), widget, HTTP API, WeChat."""
from assistant.interfaces.web.server import create_app

__all__ = ["create_app"]
