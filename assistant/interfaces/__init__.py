"""Thin interfaces over the one `Assistant` API: CLI, HTTP API, web pages, WeChat."""
