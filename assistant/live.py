"""The assistant a long-running server answers with: always over the index generation in service.

A build puts a new generation in service by switching a pointer (`index.store`). `LiveAssistant`
notices (`refresh`, called every few seconds by `watching`), opens the new generation beside the
old one and from then on hands out an Assistant over it. A request takes one Assistant when it
starts and finishes on it, so no request mixes two generations; the old generation is closed once
no request can still be reading it.
"""
from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from assistant.core import Assistant
from index.store import IndexStore, current_generation

RELEASE_AFTER_S = 120.0  # an old generation is closed this long after it was replaced: longer than any request
log = logging.getLogger(__name__)


class LiveAssistant:
    def __init__(self, assistant: Assistant, clock: Callable[[], float] = time.monotonic) -> None:
        self._assistant = assistant
        self._replaced: list[tuple[float, IndexStore]] = []
        self._lock = threading.Lock()
        self.clock = clock

    @property
    def assistant(self) -> Assistant:
        """The Assistant to answer one request with, from start to end."""
        return self._assistant

    def refresh(self) -> bool:
        """Answer from the generation in service if that is not the one answering now; True when it switched.

        A generation that cannot be opened is logged and tried again at the next refresh: meanwhile the
        one answering keeps answering.
        """
        with self._lock:
            self._close_replaced()
            store = self._assistant.store
            if current_generation(store.index_dir) in (None, store.generation):
                return False
            try:
                fresh = store.reopen()
            except Exception:
                log.exception("index generation %s could not be opened; still answering from %s",
                              current_generation(store.index_dir), store.generation)
                return False
            if fresh.model != store.model:
                log.error("index generation %s was built with %s, not %s: restart the server to change models",
                          fresh.generation, fresh.model, store.model)
                fresh.close()
                return False
            answering = copy.copy(self._assistant)  # the same model, settings and writer over the new store
            answering.store = fresh
            self._assistant = answering
            self._replaced.append((self.clock(), store))
            log.warning("now answering from index generation %s (was %s)", fresh.generation, store.generation)
            return True

    @contextmanager
    def watching(self, every_s: float) -> Iterator[None]:
        """`refresh` every `every_s` seconds in a background thread while inside the block."""
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(every_s):
                try:
                    self.refresh()
                except Exception:  # never let the watcher die: the next round tries again
                    log.exception("index watch failed")

        thread = threading.Thread(target=watch, name="index-watch", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _close_replaced(self) -> None:
        now = self.clock()
        for replaced in [r for r in self._replaced if now - r[0] >= RELEASE_AFTER_S]:
            replaced[1].close()
            self._replaced.remove(replaced)
