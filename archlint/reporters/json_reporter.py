"""JSON exactly as output-contract.md specifies (field order included, sorted findings)."""

from __future__ import annotations

import json


def render(report_dict: dict) -> str:
    return json.dumps(report_dict, indent=2, ensure_ascii=False) + "\n"
