"""The data-layer analysis types a route parameter whose default is FastAPI's ``Depends(provider)`` /
``Security(provider)`` (frameworks.toml ``fastapi_depends``) by what the provider yields: a call it
reads from the IR, resolved through the file's imports — not the text ``Depends(`` of any callee."""

from __future__ import annotations

from helpers import make_repo, report

from archlint.domain.datalayer import analyse

_DB = """
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    SessionLocal = sessionmaker(bind=create_engine("sqlite://"))

    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()
"""


def _route_accesses(tmp_path, routes: str) -> list[tuple[int, str]]:
    make_repo(tmp_path, {"app/__init__.py": "", "app/db.py": _DB, "app/routes.py": routes})
    context = report(tmp_path).context  # the fact-based analysis (the semantic model types these sites too)
    accesses = analyse(context.files, context.graph, context.knowledge).accesses_in("app/routes.py")
    return sorted((a.span.line, a.kind) for a in accesses)


def test_a_session_from_depends_security_or_fastapi_depends_is_typed(tmp_path):
    found = _route_accesses(tmp_path, """
        import fastapi
        from fastapi import Depends, Security
        from app import db as deps
        from app.db import get_db

        def a(db=Depends(get_db)):
            return db.execute("SELECT 1")

        def b(db=Security(get_db)):
            return db.execute("SELECT 1")

        def c(db=fastapi.Depends(dependency=deps.get_db)):
            return db.execute("SELECT 1")
    """)
    assert [line for line, _kind in found] == [7, 10, 13]
    assert {kind for _line, kind in found} == {"session"}


def test_a_depends_that_is_not_fastapis_types_nothing(tmp_path):
    assert _route_accesses(tmp_path, """
        from app.db import get_db
        from app.injection import Depends

        def a(db=Depends(get_db)):
            return db.execute("SELECT 1")

        def b(db=Inject(get_db)):
            return db.execute("SELECT 1")
    """) == []
