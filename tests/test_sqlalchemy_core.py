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


def test_core_table_statement_methods_are_writes_when_run(tmp_path):
    """`articles.insert()` / `.update()` / `.delete()` on a Core `Table` build an INSERT/UPDATE/DELETE like
    `insert(articles)` does: run by `conn.execute`, they are writes (AL305 two commits, AL601 one per row, AL310
    a check then an insert); building one runs nothing, and `engine.begin()` keeps the writes in one transaction."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\npsycopg2-binary\n",
        "app/__init__.py": "",
        "app/db.py": '''
            import sqlalchemy as sa

            metadata = sa.MetaData()
            users = sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True),
                             sa.Column("email", sa.String, unique=True))
            posts = sa.Table("posts", metadata, sa.Column("id", sa.Integer, primary_key=True),
                             sa.Column("author_id", sa.ForeignKey("users.id")), sa.Column("hidden", sa.Boolean))
            engine = sa.create_engine("postgresql://app@localhost/app")
        ''',
        "app/main.py": '''
            from fastapi import FastAPI, HTTPException

            from app.db import engine, posts, users

            app = FastAPI()


            @app.delete("/users/{user_id}")
            def remove(user_id: int):
                with engine.connect() as conn:
                    conn.execute(posts.delete().where(posts.c.author_id == user_id))
                    conn.commit()
                    conn.execute(users.delete().where(users.c.id == user_id))
                    conn.commit()


            @app.delete("/users/{user_id}/all")
            def remove_at_once(user_id: int):
                with engine.begin() as conn:
                    conn.execute(posts.delete().where(posts.c.author_id == user_id))
                    conn.execute(users.delete().where(users.c.id == user_id))


            @app.post("/posts/hide")
            def hide_each():
                with engine.begin() as conn:
                    for post in conn.execute(posts.select()).all():
                        conn.execute(posts.update().where(posts.c.id == post.id).values(hidden=True))


            @app.post("/posts/hide-all")
            def hide_all():
                with engine.begin() as conn:
                    statements = [posts.update().values(hidden=True) for _ in range(3)]
                    conn.execute(statements[0])


            @app.post("/users")
            def register(email: str):
                with engine.connect() as conn:
                    if conn.execute(users.select().where(users.c.email == email)).first() is not None:
                        raise HTTPException(409)
                    conn.execute(users.insert().values(email=email))
                    conn.commit()
        ''',
    })
    found = report(root).findings
    assert sorted((f.rule, f.line) for f in found) == [("AL305", 11), ("AL310", 43), ("AL601", 28)]


def test_a_mapped_models_table_builds_statements_of_that_model(tmp_path):
    """``Customer.__table__.update()`` (the mapped model's Core table, SQLAlchemy's performance examples) is an
    UPDATE of that model: run per row of a query loop it is one statement per row; built and never run, nothing."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/__init__.py": "",
        "app/main.py": '''
            from fastapi import FastAPI
            from sqlalchemy import Boolean, Column, Integer, create_engine, select
            from sqlalchemy.orm import Session, declarative_base

            Base = declarative_base()
            engine = create_engine("sqlite:///app.db")
            app = FastAPI()


            class Customer(Base):
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)
                vip = Column(Boolean, default=False)


            @app.post("/vip")
            def promote():
                with Session(engine) as session:
                    for customer in session.scalars(select(Customer)).all():
                        session.execute(Customer.__table__.update().where(Customer.__table__.c.id == customer.id).values(vip=True))
                    session.commit()


            @app.post("/vip/preview")
            def preview():
                with Session(engine) as session:
                    return [str(Customer.__table__.update().where(Customer.__table__.c.id == c.id))
                            for c in session.scalars(select(Customer)).all()]
        ''',
    })
    found = [(f.rule, f.line) for f in report(root).findings if f.rule in ("AL601", "AL305")]
    assert found == [("AL601", 20)]


def test_declaring_encode_databases_installs_sqlalchemy(tmp_path):
    """encode/databases requires SQLAlchemy (Requires-Dist sqlalchemy>=2.0.7): an app declaring only
    `databases[sqlite]` imports `sqlalchemy` for its tables without AL702; one declaring neither is told."""
    app = '''
        import databases
        import sqlalchemy

        database = databases.Database("sqlite:///./notes.db")
        notes = sqlalchemy.Table("notes", sqlalchemy.MetaData(), sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True))
    '''
    declared = make_repo(tmp_path / "declared", {"requirements.txt": "fastapi\ndatabases[sqlite]\n", "app/db.py": app})
    missing = make_repo(tmp_path / "missing", {"requirements.txt": "fastapi\n", "app/db.py": app})
    assert [f.rule for f in report(declared).findings if f.rule == "AL702"] == []
    assert sorted(f.message.split("`")[1] for f in report(missing).findings if f.rule == "AL702") == ["databases", "sqlalchemy"]


def test_a_core_tables_write_with_no_where_is_every_row(tmp_path):
    """`notes.delete()` / `notes.update().values(…)` / `delete(notes)` with no `.where(…)` send a DELETE/UPDATE of
    every row (AL405, lifted like `delete(Note)`); with a `.where` on the table's column they are the rows meant."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\npsycopg2-binary\n",
        "app/__init__.py": "",
        "app/main.py": '''
            import sqlalchemy as sa
            from fastapi import FastAPI

            metadata = sa.MetaData()
            notes = sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("done", sa.Boolean))
            engine = sa.create_engine("postgresql://app@localhost/app")
            app = FastAPI()


            @app.delete("/notes/{note_id}")
            def delete_note(note_id: int):
                with engine.begin() as conn:
                    conn.execute(notes.delete())


            @app.post("/notes/{note_id}/done")
            def mark_done(note_id: int):
                with engine.begin() as conn:
                    conn.execute(notes.update().values(done=True))


            @app.delete("/notes/{note_id}/v2")
            def delete_note_v2(note_id: int):
                with engine.begin() as conn:
                    conn.execute(sa.delete(notes))


            @app.delete("/notes/{note_id}/v3")
            def delete_note_v3(note_id: int):
                with engine.begin() as conn:
                    conn.execute(notes.delete().where(notes.c.id == note_id))


            @app.post("/notes/{note_id}/undone")
            def mark_undone(note_id: int):
                with engine.begin() as conn:
                    conn.execute(notes.update().where(notes.c.id == note_id).values(done=False))
        ''',
    })
    found = [(f.rule, f.line) for f in report(root).findings if f.rule == "AL405"]
    assert found == [("AL405", 13), ("AL405", 19), ("AL405", 25)]


def test_an_endpoint_named_for_emptying_tables_may_take_a_confirmation_and_the_response(tmp_path):
    """prefect's admin `clear_database(db, confirm, response)` deletes every row of `work_pool` on purpose: a
    confirmation flag and the framework's response object pick no rows.  A user id does (`clear_for_user`)."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\npsycopg2-binary\n",
        "app/__init__.py": "",
        "app/main.py": '''
            from fastapi import Body, FastAPI, Response
            from sqlalchemy import Column, Integer, create_engine
            from sqlalchemy.orm import Session, declarative_base

            Base = declarative_base()
            engine = create_engine("postgresql://app@localhost/app")
            app = FastAPI()


            class WorkPool(Base):
                __tablename__ = "work_pool"
                id = Column(Integer, primary_key=True)
                owner_id = Column(Integer)


            @app.post("/admin/database/clear")
            def clear_database(confirm: bool = Body(False), response: Response = None):
                if not confirm:
                    response.status_code = 400
                    return
                with Session(engine) as session, session.begin():
                    session.execute(WorkPool.__table__.delete())


            @app.post("/admin/pools/clear")
            def clear_for_user(owner_id: int):
                with Session(engine) as session, session.begin():
                    session.execute(WorkPool.__table__.delete())
        ''',
    })
    found = [(f.rule, f.line) for f in report(root).findings if f.rule == "AL405"]
    assert found == [("AL405", 28)]


def test_a_core_table_selected_whole_is_the_from_entity_its_join_attaches_to(tmp_path):
    """`select(comments, users.c.username).join(users, users.c.id == comments.c.author_id)`: `comments` is selected
    whole, so it is the FROM entity and `users` joins it on the ON clause — no cartesian product (a false AL406 once
    Core tables had values).  Without the join the two tables are a product (AL406)."""
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy\n",
        "app/__init__.py": "",
        "app/db.py": '''
            from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine

            metadata = MetaData()
            users = Table("users", metadata, Column("id", Integer, primary_key=True), Column("username", String))
            comments = Table("comments", metadata, Column("id", Integer, primary_key=True),
                             Column("author_id", ForeignKey("users.id")), Column("body", String))
            engine = create_engine("sqlite:///app.db")
        ''',
        "app/queries.py": '''
            from sqlalchemy import select

            from app.db import comments, engine, users


            def joined():
                with engine.connect() as conn:
                    stmt = select(comments, users.c.username).join(users, users.c.id == comments.c.author_id)
                    return conn.execute(stmt.order_by(comments.c.id)).all()


            def product():
                with engine.connect() as conn:
                    return conn.execute(select(comments, users.c.username).order_by(comments.c.id)).all()
        ''',
    })
    found = [(f.rule, f.line) for f in report(root).findings if f.rule == "AL406"]
    assert found == [("AL406", 14)]
