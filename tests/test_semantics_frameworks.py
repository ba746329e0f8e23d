"""Serialisation N+1: what DRF serializers, DRF list views, django-ninja and FastAPI response schemas
read per row, modelled as loops; eager-loaded look-alikes stay silent."""

from __future__ import annotations

from helpers import make_repo, report

DJANGO_MODELS = '''
    from django.db import models

    class User(models.Model):
        username = models.CharField(max_length=50)

    class Tag(models.Model):
        name = models.CharField(max_length=50)

    class Article(models.Model):
        title = models.CharField(max_length=100)
        author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="articles")
        tags = models.ManyToManyField(Tag, related_name="articles")
'''


def n_plus_one(root):
    return [(f.rule, f.path, f.line) for f in report(root).findings if f.rule in ("AL601", "AL603")]


def test_drf_list_views_and_many_serializers_read_relations_per_row(tmp_path):
    root = make_repo(tmp_path, {
        "blog/models.py": DJANGO_MODELS,
        "blog/serializers.py": '''
            from rest_framework import serializers
            from blog.models import Article, User

            class AuthorSerializer(serializers.ModelSerializer):
                class Meta:
                    model = User
                    fields = ["username"]

            class ArticleSerializer(serializers.ModelSerializer):
                author = AuthorSerializer(read_only=True)
                tagList = serializers.SlugRelatedField(source="tags", slug_field="name", many=True, read_only=True)
                favorites = serializers.SerializerMethodField()

                class Meta:
                    model = Article
                    fields = ["title", "author", "tagList", "favorites"]

                def get_favorites(self, obj):
                    return obj.author.articles.count()

            class SlimSerializer(serializers.ModelSerializer):
                author_id = serializers.PrimaryKeyRelatedField(source="author", read_only=True)

                class Meta:
                    model = Article
                    fields = ["title", "author_id"]
        ''',
        "blog/views.py": '''
            from rest_framework import generics, viewsets
            from blog.models import Article
            from blog.serializers import ArticleSerializer, SlimSerializer

            class ArticleList(generics.ListAPIView):
                queryset = Article.objects.all()
                serializer_class = ArticleSerializer

            class SlimList(generics.ListAPIView):
                queryset = Article.objects.all()
                serializer_class = SlimSerializer

            class ArticleViewSet(viewsets.ModelViewSet):
                serializer_class = ArticleSerializer

                def get_queryset(self):
                    return Article.objects.select_related("author").prefetch_related("tags")

            def export(request):
                return ArticleSerializer(Article.objects.all(), many=True).data

            def export_one(request, pk):
                return ArticleSerializer(Article.objects.get(pk=pk)).data
        ''',
    })
    found = {(rule, path, line): None for rule, path, line in n_plus_one(root)}
    assert list(found) == [
        ("AL601", "blog/views.py", 6),  # queryset = Article.objects.all(): author, tags and the count per row
        ("AL601", "blog/views.py", 16),  # get_queryset prefetches: only get_favorites' count remains
        ("AL601", "blog/views.py", 20),  # ArticleSerializer(…, many=True) in a function
    ]
    messages = {f.line: f.message for f in report(root).findings if f.rule == "AL601"}
    assert "3 queries per row" in messages[6] and "1 query per row" in messages[16]


def test_ninja_response_schema_reads_relations_of_returned_rows(tmp_path):
    root = make_repo(tmp_path, {
        "blog/models.py": DJANGO_MODELS,
        "blog/api.py": '''
            from typing import List
            from ninja import Router, Schema
            from blog.models import Article

            router = Router()

            class AuthorOut(Schema):
                username: str

            class TagOut(Schema):
                name: str

            class ArticleOut(Schema):
                title: str
                author: AuthorOut
                tags: List[TagOut]

            class ArticleSlim(Schema):
                title: str

            @router.get("/articles", response=List[ArticleOut])
            def list_articles(request):
                return Article.objects.all()

            @router.get("/articles/fast", response=List[ArticleOut])
            def list_articles_fast(request):
                return Article.objects.select_related("author").prefetch_related("tags")

            @router.get("/articles/slim", response=List[ArticleSlim])
            def list_slim(request):
                return Article.objects.all()
        ''',
    })
    assert n_plus_one(root) == [("AL601", "blog/api.py", 21)]


def test_fastapi_response_model_from_sqlalchemy_rows(tmp_path):
    root = make_repo(tmp_path, {
        "app/models.py": '''
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

            class Base(DeclarativeBase):
                pass

            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                username: Mapped[str]

            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)
                author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
                author: Mapped[User] = relationship()
        ''',
        "app/api.py": '''
            from fastapi import APIRouter, Depends
            from pydantic import BaseModel, ConfigDict
            from sqlalchemy import select
            from sqlalchemy.orm import Session, selectinload
            from app.models import Article

            router = APIRouter()

            class UserOut(BaseModel):
                model_config = ConfigDict(from_attributes=True)
                username: str

            class ArticleOut(BaseModel):
                model_config = ConfigDict(from_attributes=True)
                id: int
                author: UserOut

            @router.get("/articles", response_model=list[ArticleOut])
            def articles(session: Session):
                return session.scalars(select(Article)).all()

            @router.get("/articles/eager", response_model=list[ArticleOut])
            def articles_eager(session: Session):
                return session.scalars(select(Article).options(selectinload(Article.author))).all()
        ''',
    })
    assert n_plus_one(root) == [("AL603", "app/api.py", 18)]


def test_marshmallow_dumps_read_every_field_of_every_row():
    """The Flask RealWorld layout: `relationship = relationship` re-exported by conduit/database.py,
    a `@property` on the model that counts with a query, and a `many=True` marshmallow schema used
    by flask-apispec's `@marshal_with` and by `.dump()`; its twin eager-loads and dumps only what
    is loaded (load_only fields and a Method that reads a column stay silent)."""
    from archlint.application.pipeline import Options, run_check

    bugs = run_check(["fixtures/marshmallow-bugs"], Options(use_cache=False))
    models = {m.name: sorted(m.relations) for m in bugs.context.program.schema.models.values()}
    assert models["Article"] == ["author", "tagList"]
    found = [f for f in bugs.findings if f.rule == "AL601"]
    assert [(f.path, f.line) for f in found] == [("conduit/articles/views.py", 10), ("conduit/articles/views.py", 25)]
    assert all("lazy load of `author`" in f.message and "`count` query on Article" in f.message for f in found)
    assert [(step.path, step.line) for step in found[0].trace] == [  # the schema's fields, the model's property
        ("conduit/articles/serializers.py", 9), ("conduit/articles/serializers.py", 10), ("conduit/articles/models.py", 24)]
    correct = run_check(["fixtures/marshmallow-correct"], Options(use_cache=False))
    assert correct.findings == []
