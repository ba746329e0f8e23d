"""The unit-of-work shape (Cosmic Python): `with uow:` runs the class's `__enter__`, which opens the
session and builds the repositories the services read as `uow.articles`; a repository returning
`list(session.scalars(q))` returns the fetched rows, so a per-row query through a helper is an N+1."""

from __future__ import annotations

from helpers import make_repo, report

MODELS = '''
    from sqlalchemy import ForeignKey, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(64))


    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(String(64))
        author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        author: Mapped[User] = relationship()
'''

UOW = '''
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import selectinload, sessionmaker

    from app.models import Base, Post, User

    engine = create_engine("sqlite:///app.db")
    Base.metadata.create_all(engine)
    Sessions = sessionmaker(bind=engine)


    class Posts:
        def __init__(self, session):
            self.session = session

        def recent(self):
            return list(self.session.scalars(select(Post).order_by(Post.id.desc()).limit(20)))

        def recent_with_authors(self):
            return list(self.session.scalars(select(Post).options(selectinload(Post.author)).order_by(Post.id.desc()).limit(20)))


    class Users:
        def __init__(self, session):
            self.session = session

        def get(self, user_id):
            return self.session.get(User, user_id)


    class UnitOfWork:
        def __enter__(self):
            self.session = Sessions()
            self.posts = Posts(self.session)
            self.users = Users(self.session)
            return self

        def __exit__(self, *exc):
            self.session.close()
'''


def test_list_of_scalars_is_rows_and_the_unit_of_work_wires_the_repositories(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nsqlalchemy\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/uow.py": UOW,
        "app/services.py": '''
            from app.uow import UnitOfWork


            def _author(uow, post):
                return uow.users.get(post.author_id).name


            def titles(uow: UnitOfWork):
                with uow:
                    return [(p.title, _author(uow, p)) for p in uow.posts.recent()]


            def titles_eager(uow: UnitOfWork):
                with uow:
                    return [(p.title, p.author.name) for p in uow.posts.recent_with_authors()]


            def titles_only(uow: UnitOfWork):
                with uow:
                    return [p.title for p in uow.posts.recent()]
        ''',
    })
    found = sorted((f.rule, f.path, f.line) for f in report(root).findings)
    assert found == [("AL601", "app/services.py", 10)]
