"""Composition root of the web app: one Assistant, served at http://127.0.0.1:7860."""
from __future__ import annotations

import gradio as gr

from assistant import Assistant, AssistantError
from assistant.config import get_settings

HOST, PORT = "127.0.0.1", 7860
EXAMPLES = ["我在鲁山县开饭店，房租能减免吗？", "小规模纳税人增值税怎么减免？", "湛河区小升规企业有什么奖励？"]


def main() -> None:
    assistant = Assistant.from_settings(get_settings())

    def respond(message: str, history: list[dict[str, str]]) -> str:
        turns = [{"role": t["role"], "content": str(t["content"])} for t in history]
        try:
            return assistant.ask(message, history=turns).text
        except AssistantError as error:
            return f"⚠️ {error}"

    demo = gr.ChatInterface(respond, title="政策通 · 惠企政策助手", examples=EXAMPLES)
    demo.launch(server_name=HOST, server_port=PORT)


if __name__ == "__main__":
    main()
