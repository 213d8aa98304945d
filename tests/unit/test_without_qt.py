"""The core runs with PySide6 unimportable (the headless check the CI also runs on all of
tests/unit)."""

import json
import os
import subprocess
import sys

BLOCKER = "raise ImportError('PySide6 is blocked for this test')\n"


def test_cli_reads_an_incident_with_qt_unimportable(demo_path, tmp_path):
    (tmp_path / "PySide6").mkdir()
    (tmp_path / "PySide6" / "__init__.py").write_text(BLOCKER)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
    }
    probe = subprocess.run(
        [sys.executable, "-c", "import PySide6"], env=env, capture_output=True, text=True
    )
    assert "blocked" in probe.stderr
    result = subprocess.run(
        [sys.executable, "-m", "gspace", "reports", str(demo_path), "--kind", "sns"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["features"]) == 190
