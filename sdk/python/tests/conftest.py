import json
import os
from pathlib import Path

# sdk/testdata, shared by every hookd verification library (HOOKD_SDK_TESTDATA overrides, for a copied library).
TESTDATA = Path(os.environ.get("HOOKD_SDK_TESTDATA", Path(__file__).resolve().parents[2] / "testdata"))


def load(name: str) -> dict:
    with open(TESTDATA / name, encoding="utf-8") as f:
        return json.load(f)
