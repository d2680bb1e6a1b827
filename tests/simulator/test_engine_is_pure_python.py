"""The policy engine imports only the standard library (STYLE.md, "What that means here", 1)."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter: this test process has Django loaded already.
IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
already_loaded = set(sys.modules)
import simulator.policy as engine
names = [m.name for m in pkgutil.walk_packages(engine.__path__, engine.__name__ + ".")]
for name in names:
    importlib.import_module(name)
foreign = sorted(
    name for name in set(sys.modules) - already_loaded
    if name.partition(".")[0] not in sys.stdlib_module_names and name.partition(".")[0] != "simulator"
)
print(json.dumps({"modules": names, "foreign": foreign}))
"""


def test_policy_engine_imports_nothing_outside_the_standard_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE], check=False, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    imported = json.loads(result.stdout)
    assert "simulator.policy.model" in imported["modules"]
    assert imported["foreign"] == []
