"""JUnit XML, for CI systems that show test reports but not code-scanning results (GitLab,
Jenkins, Azure Pipelines, CircleCI).

One ``testsuite``; one ``testcase`` per finding, failed for errors and warnings and passed (with
the finding in ``system-out``) for info; a single passing test case when nothing was found, so
the CI page shows a green "archlint" rather than "no tests".  Built with ElementTree, so every
attribute is escaped; control characters are spelled out (``\x1b``, as in the text report) and
the few characters XML 1.0 cannot carry at all (lone surrogates, U+FFFE/FFFF) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from archlint.domain.findings import Finding
from archlint.reporters.inert import terminal

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", terminal(text))


def render(findings: list[Finding], stats: dict) -> str:
    failing = [f for f in findings if f.severity in ("error", "warning")]
    suite = ET.Element(
        "testsuite",
        {
            "name": "archlint",
            "tests": str(max(len(findings), 1)),
            "failures": str(len(failing)),
            "errors": "0",
            "skipped": "0",
            "time": f"{stats.get('seconds', 0):.3f}",
        },
    )
    for finding in findings:
        location = f"{finding.path}:{finding.line}:{finding.column}"
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": _clean(finding.path),
                "name": _clean(f"{finding.rule} {finding.name} at {location}"),
                "file": _clean(finding.path),
                "line": str(finding.line),
                "time": "0",
            },
        )
        body = _clean(f"{location}: {finding.severity}: {finding.message}\nfix: {finding.guidance}")
        if finding.severity in ("error", "warning"):
            failure = ET.SubElement(case, "failure", {"message": _clean(finding.message), "type": finding.rule})
            failure.text = body
        else:
            ET.SubElement(case, "system-out").text = body
    if not findings:
        ET.SubElement(suite, "testcase", {"classname": "archlint", "name": "no findings", "time": "0"})
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
