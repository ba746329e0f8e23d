"""AL815 follows a path parameter into the project functions it is passed to, binding each argument to
the parameter it fills the way the call does (records.argument_for: `self` of a bound method, keywords
by name) — on the conduit-shaped Flask app of fixtures/contract-flask-bugs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archlint.application.pipeline import Options, run_check

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "contract-flask-bugs"

_SERVICE = '''

class ArticleService:
    def find(self, title, article_id):
        return Article.query.get(int(article_id))


service = ArticleService()
'''


def _al815(tmp_path, call: str) -> list[int]:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    views = root / "app" / "views.py"
    text = views.read_text()
    old = '@login_required\ndef update_article(slug):\n    return jsonify(article=request.get_json()["article"])'
    assert old in text
    text = text.replace(old, f'@login_required\ndef update_article(slug):\n    {call}\n    return jsonify(article={{}})') + _SERVICE
    views.write_text(text)
    report = run_check([str(root)], Options(use_cache=False))
    service_line = text.splitlines().index("        return Article.query.get(int(article_id))") + 1
    return [f.line for f in report.findings if f.rule == "AL815" and f.path == "app/views.py" and f.line == service_line]


@pytest.mark.parametrize("call", ["service.find(None, slug)", "service.find(title=None, article_id=slug)",
                                  "service.find(article_id=slug, title=None)"])
def test_the_parameter_the_slug_fills_is_followed(tmp_path, call):
    assert len(_al815(tmp_path, call)) == 1


@pytest.mark.parametrize("call", ["service.find(slug, 5)", "service.find(title=slug, article_id=5)",
                                  "service.find(article_id=5, title=slug)"])
def test_a_slug_filling_another_parameter_is_not_a_numeric_use(tmp_path, call):
    assert _al815(tmp_path, call) == []
