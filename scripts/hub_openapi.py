"""Write the hub's OpenAPI description to docs/hub-openapi.json (a test checks it is current).

PYTHONPATH=$PWD .venv/bin/python scripts/hub_openapi.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "hub-openapi.json"


def description() -> str:
    from gspace.hub.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        _, app = create_app(Path(folder))
        text = json.dumps(app.openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        app.state.hub.close()
    return text


if __name__ == "__main__":
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(description(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}", file=sys.stderr)
