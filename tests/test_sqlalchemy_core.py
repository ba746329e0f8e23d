"""SQLAlchemy Core: `select(users)` where `users = Table("users", metadata, …)` reads that table, so a
`.first()` on its result may be None (AL220) and a per-row `execute` names the table it reads."""

from __future__ import annotations

from helpers import make_repo, report


def test_core_table_lookups_are_nullable_rows_of_their_table(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nsqlalchemy\n",
        "app/__init__.py": "",
        "app/db.py": '''
            from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine

            metadata = MetaData()
            users = Table("users", metadata, Column("id", Integer, primary_key=True), Column("name", String))
            posts = Table("posts", metadata, Column("id", Integer, primary_key=True), Column("author_id", ForeignKey("users.id")))
            engine = create_engine("sqlite:///app.db")
            metadata.create_all(engine)
        ''',
        "app/queries.py": '''
            from sqlalchemy import func, select

            from app.db import engine, posts, users


            def name(user_id):
                with engine.connect() as conn:
                    row = conn.execute(select(users).where(users.c.id == user_id)).first()
                    return row.name


            def name_by_key(user_id):
                with engine.connect() as conn:
                    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
                    return row["name"]


            def name_checked(user_id):
                with engine.connect() as conn:
                    row = conn.execute(select(users).where(users.c.id == user_id)).first()
                    return row.name if row is not None else None


            def count():
                with engine.connect() as conn:
                    return conn.execute(select(func.count()).select_from(users)).scalar_one()


            def authors():
                with engine.connect() as conn:
                    found = []
                    for post in conn.execute(select(posts).order_by(posts.c.id)).all():
                        found.append(conn.execute(select(users.c.name).where(users.c.id == post.author_id)).scalar_one())
                    return found
        ''',
    })
    found = report(root).findings
    assert sorted((f.rule, f.line) for f in found) == [("AL220", 9), ("AL220", 15), ("AL601", 33)]
    assert all("of `users`" in f.message for f in found if f.rule == "AL220")
    by_line = {f.line: f.message for f in found if f.rule == "AL220"}
    assert "AttributeError" in by_line[9] and "not subscriptable" in by_line[15]  # row.name vs row["name"]
