"""Lists and dicts the program fills with rows (``values.Items``, ``semantics/sequences.py``): the rows keep
their loads and tags through ``append``/``extend``/``d[k] = row`` and the caller's iteration, so N+1 and
AL218 see them; a list of plain values stays untracked; element joins are bounded."""

from __future__ import annotations

from helpers import findings, make_repo

from archlint.semantics import sequences
from archlint.semantics import values as v

ROW = v.Row("sqlalchemy", "m:Article")


def test_a_list_filled_on_one_path_joins_to_the_filled_list():
    filled = sequences.grow(v.Tuple(()), "append", [("pos", "", v.Tuple((ROW, v.Const(True))), None)])
    assert filled == v.Items(v.Tuple((ROW, v.Const(True))))
    assert v.join(v.Tuple(()), filled) == filled  # `result = []` joined with the loop body's append
    assert sequences.elements(filled) == v.Tuple((ROW, v.Const(True)))


def test_plain_values_are_not_collected_and_nesting_is_bounded():
    assert sequences.grow(v.Tuple(()), "append", [("pos", "", v.UNKNOWN, None)]) is None  # ids / dicts: untracked
    nested = v.Items(ROW)
    for _ in range(sequences.MAX_DEPTH + 2):
        grown = sequences.collect(v.Tuple(()), nested)
        if grown is None:
            break
        nested = grown
    assert grown is None  # a list of lists of lists … of rows stops being followed
    many = v.Items(ROW)
    for index in range(v.MAX_UNION + 2):  # several unrelated element kinds join to unknown, not a growing union
        many = v.join(many, v.Items(v.Row("sqlalchemy", f"m:M{index}")))
    assert v.is_unknown(v.strip(many).item)


FILES = {
    "requirements.txt": "django\n",
    "blog/models.py": '''
        from django.db import models

        class Author(models.Model):
            name = models.CharField(max_length=50)

        class Post(models.Model):
            title = models.CharField(max_length=50)
            author = models.ForeignKey(Author, on_delete=models.CASCADE)
    ''',
    "blog/views.py": '''
        from django.http import JsonResponse
        from blog.models import Post

        def recent():
            picked = []
            for post in QUERY:
                picked.append((post, post.title.startswith("a")))
            return picked

        def posts(request):
            return JsonResponse({"posts": [[p.author.name, flag] for p, flag in recent()]})
    ''',
}


def test_n_plus_one_over_a_list_of_appended_django_rows_and_its_select_related_look_alike(tmp_path):
    bug = make_repo(tmp_path / "bug", {**FILES, "blog/views.py": FILES["blog/views.py"].replace("QUERY", "Post.objects.all()")})
    assert [f for f in findings(bug) if f[0] in ("AL601", "AL603")] == [("AL603", "blog/views.py", 11)]
    fixed = make_repo(tmp_path / "fixed", {**FILES, "blog/views.py": FILES["blog/views.py"].replace("QUERY", 'Post.objects.select_related("author")')})
    assert [f for f in findings(fixed) if f[0] in ("AL601", "AL603")] == []
    ids = make_repo(tmp_path / "ids", {**FILES, "blog/views.py": FILES["blog/views.py"].replace("QUERY", "Post.objects.all()")
                                       .replace("picked.append((post, ", "picked.append((post.id, ").replace("p.author.name", "p")})
    assert [f for f in findings(ids) if f[0] in ("AL601", "AL603")] == []



PREFETCHED = '''
    from django.db.models import prefetch_related_objects
    from django.http import JsonResponse
    from blog.models import Post

    def recent():
        picked = []
        for post in Post.objects.all():
            if post.title:
                picked.append(post)
        prefetch_related_objects(picked, LOOKUP)
        return picked

    def posts(request):
        return JsonResponse({"authors": [p.author.name for p in recent()]})
'''


def test_prefetch_related_objects_loads_the_relations_of_a_filled_list(tmp_path):
    """``prefetch_related_objects(picked, "author")`` after filling the list: one query for the authors, the
    per-element read is served from the prefetch cache — silent; prefetching another relation is not."""
    other = make_repo(tmp_path / "other", {**FILES, "blog/views.py": PREFETCHED.replace("LOOKUP", '"tags"')})
    assert [f for f in findings(other) if f[0] in ("AL601", "AL603")] == [("AL603", "blog/views.py", 14)]
    for lookup in ('"author"', 'Prefetch("author")'):
        text = PREFETCHED.replace("LOOKUP", lookup).replace("import prefetch_related_objects", "import Prefetch, prefetch_related_objects")
        loaded = make_repo(tmp_path / lookup.strip('"()'), {**FILES, "blog/views.py": text})
        assert [f for f in findings(loaded) if f[0] in ("AL601", "AL603")] == [], lookup



ID_ROWS = {
    "requirements.txt": "fastapi\nsqlalchemy\n",
    "app/main.py": '''
        from fastapi import Depends, FastAPI
        from sqlalchemy import ForeignKey, String, create_engine, select
        from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

        engine = create_engine("sqlite:///app.db")


        class Base(DeclarativeBase):
            pass


        class Chat(Base):
            __tablename__ = "chat"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str] = mapped_column(String)


        class Grant(Base):
            __tablename__ = "grant"
            id: Mapped[int] = mapped_column(primary_key=True)
            chat_id: Mapped[int] = mapped_column(ForeignKey("chat.id"))


        Base.metadata.create_all(engine)
        app = FastAPI()


        def get_db():
            with Session(engine) as session:
                yield session


        def shared_chat_ids(db: Session) -> list[int]:
            result = db.execute(select(Chat.id).where(Chat.title != ""))
            return [row[0] for row in result.all()]


        def grant_of(db: Session, chat_id: int):
            return db.execute(select(Grant).where(Grant.chat_id == chat_id)).scalars().first()


        @app.get("/grants")
        def grants(PARAMS db: Session = Depends(get_db)):
            found = []
            for chat_id in IDS:
                if grant_of(db, chat_id):
                    found.append(chat_id)
            return found

    ''',
}


def test_ids_read_from_result_rows_by_position_key_a_per_row_lookup(tmp_path):
    """``[row[0] for row in db.execute(select(Chat.id)).all()]`` is one id per stored row: a lookup per id
    is an N+1 (open-webui's shared-chat fallback loop); ids the client sent are not."""
    rows = make_repo(tmp_path / "rows", {**ID_ROWS, "app/main.py": ID_ROWS["app/main.py"].replace("IDS", "shared_chat_ids(db)")
                                         .replace("PARAMS ", "")})
    assert [f[0] for f in findings(rows) if f[0] == "AL601"] == ["AL601"]
    client = make_repo(tmp_path / "client", {**ID_ROWS, "app/main.py": ID_ROWS["app/main.py"].replace("IDS", "ids")
                                             .replace("PARAMS ", "ids: list[int], ")})
    assert [f for f in findings(client) if f[0] == "AL601"] == []
