"""Update the translation sources and compile them.

    python scripts/i18n.py          # lupdate: gspace/gui/*.py and ui/*.ui -> resources/i18n/*.ts
                                    # lrelease: *.ts -> *.qm (the files the app loads)

Translate by editing the .ts files (or with pyside6-linguist), then run this again.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ja",)


def tool(name: str) -> str:
    return str(Path(sys.executable).parent / f"pyside6-{name}")


def main() -> None:
    sources = sorted(
        str(p.relative_to(ROOT))
        for p in [*(ROOT / "gspace" / "gui").glob("*.py"), *(ROOT / "ui").glob("*.ui")]
    )
    for lang in LANGUAGES:
        ts = ROOT / "resources" / "i18n" / f"gspace_{lang}.ts"
        subprocess.run(
            [
                tool("lupdate"),
                "-no-obsolete",
                "-locations",
                "none",
                *sources,
                "-ts",
                str(ts.relative_to(ROOT)),
            ],
            cwd=ROOT,
            check=True,
        )
        subprocess.run([tool("lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)


if __name__ == "__main__":
    main()
