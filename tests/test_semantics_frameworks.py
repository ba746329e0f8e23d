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


def test_drf_view_with_its_own_list_and_a_project_related_field(tmp_path):
    """A viewset that overrides ``list()`` is analysed through that method only (the
    ListModelMixin entry would report the same loop twice), and a project field class deriving
    from ``RelatedField`` with ``many=True`` reads the relation per row like DRF's own fields."""
    root = make_repo(tmp_path, {
        "blog/models.py": DJANGO_MODELS,
        "blog/relations.py": '''
            from rest_framework import serializers
            from blog.models import Tag

            class TagField(serializers.RelatedField):
                def get_queryset(self):
                    return Tag.objects.all()

                def to_representation(self, value):
                    return value.name
        ''',
        "blog/serializers.py": '''
            from rest_framework import serializers
            from blog.models import Article
            from blog.relations import TagField

            class ArticleSerializer(serializers.ModelSerializer):
                tagList = TagField(many=True, required=False, source="tags")

                class Meta:
                    model = Article
                    fields = ["title", "tagList"]

            class TitleSerializer(serializers.ModelSerializer):
                mainTag = TagField(required=False, source="tags")

                class Meta:
                    model = Article
                    fields = ["title", "mainTag"]
        ''',
        "blog/views.py": '''
            from rest_framework import mixins, viewsets
            from rest_framework.response import Response
            from blog.models import Article
            from blog.serializers import ArticleSerializer, TitleSerializer

            class ArticleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
                queryset = Article.objects.all()
                serializer_class = ArticleSerializer

                def list(self, request):
                    serializer = self.serializer_class(self.queryset.all(), many=True)
                    return Response(serializer.data)

            class FastViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
                queryset = Article.objects.prefetch_related("tags")
                serializer_class = ArticleSerializer

                def list(self, request):
                    serializer = self.serializer_class(self.queryset.all(), many=True)
                    return Response(serializer.data)

            class TitleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
                queryset = Article.objects.all()
                serializer_class = TitleSerializer

            class LoggedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
                queryset = Article.objects.all()
                serializer_class = ArticleSerializer

                def list(self, request, *args, **kwargs):
                    print("listing")
                    return super().list(request, *args, **kwargs)
        ''',
    })
    found = [(rule, path, line) for rule, path, line in n_plus_one(root)]
    # the list() call only; prefetched and to-one look-alikes silent; a list() that delegates to
    # super().list() still serializes the queryset (reported at the queryset)
    assert found == [("AL601", "blog/views.py", 11), ("AL601", "blog/views.py", 27)]
    assert "`all` query on Tag" in next(f.message for f in report(root).findings if f.rule == "AL601")



def test_drf_request_user_is_the_custom_user_model_in_views_and_serializer_context(tmp_path):
    """``request.user`` (a DRF/Django view's request, or ``self.context['request']`` in a
    serializer) is a row of the project's ``AbstractBaseUser`` model, and ``user.profile`` is the
    reverse of ``OneToOneField(User)``: a per-row ``profile.is_following(obj)`` is an N+1."""
    root = make_repo(tmp_path, {
        "accounts/models.py": '''
            from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
            from django.db import models

            class User(AbstractBaseUser, PermissionsMixin):
                email = models.EmailField(unique=True)
                USERNAME_FIELD = "email"

            class Profile(models.Model):
                user = models.OneToOneField("accounts.User", on_delete=models.CASCADE)
                follows = models.ManyToManyField("self", related_name="followed_by", symmetrical=False)

                def is_following(self, other):
                    return self.follows.filter(pk=other.pk).exists()
        ''',
        "accounts/serializers.py": '''
            from rest_framework import serializers
            from accounts.models import Profile

            class ProfileSerializer(serializers.ModelSerializer):
                following = serializers.SerializerMethodField()

                class Meta:
                    model = Profile
                    fields = ["following"]

                def get_following(self, instance):
                    request = self.context.get("request", None)
                    if request is None:
                        return False
                    return request.user.profile.is_following(instance)

            class PlainProfileSerializer(serializers.ModelSerializer):
                me = serializers.SerializerMethodField()

                class Meta:
                    model = Profile
                    fields = ["me"]

                def get_me(self, instance):
                    request = self.context["request"]
                    return request.user.pk == instance.user_id
        ''',
        "accounts/views.py": '''
            from rest_framework import generics
            from rest_framework.response import Response
            from rest_framework.views import APIView
            from accounts.models import Profile
            from accounts.serializers import PlainProfileSerializer, ProfileSerializer

            class ProfileList(generics.ListAPIView):
                queryset = Profile.objects.all()
                serializer_class = ProfileSerializer

            class PlainProfileList(generics.ListAPIView):
                queryset = Profile.objects.all()
                serializer_class = PlainProfileSerializer

            class Followees(APIView):
                def get(self, request):
                    rows = Profile.objects.all()
                    return Response([request.user.profile.is_following(row) for row in rows])
        ''',
        "accounts/urls.py": '''
            from django.urls import path
            from accounts.views import Followees

            urlpatterns = [path("followees", Followees.as_view())]
        ''',
    })
    assert n_plus_one(root) == [("AL601", "accounts/views.py", 8), ("AL601", "accounts/views.py", 18)]


def test_ninja_from_orm_per_row_custom_manager_and_auth_user_model(tmp_path):
    """``Schema.from_orm(row)`` / ``model_validate(row)`` in a loop reads the schema's fields per
    row (a nested schema on ``ForeignKey(settings.AUTH_USER_MODEL)``, a resolver's query), and a
    queryset from a custom manager method (``objects = Manager.from_queryset(QS)()``,
    ``QS.as_manager()``) is still a queryset of the model; prefetched look-alikes stay silent."""
    root = make_repo(tmp_path, {
        "accounts/models.py": '''
            from django.contrib.auth.models import AbstractUser
            from django.db import models

            class User(AbstractUser):
                followers = models.ManyToManyField("self", symmetrical=False)
        ''',
        "posts/models.py": '''
            from django.conf import settings
            from django.db import models

            class PostQuerySet(models.QuerySet):
                def with_counts(self):
                    return self.annotate(num_likes=models.Count("likes"))

            PostManager = models.Manager.from_queryset(PostQuerySet)

            class NoteQuerySet(models.QuerySet):
                def recent(self):
                    return self.order_by("-id")

            class Post(models.Model):
                author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
                likes = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="liked")
                objects = PostManager()

            class Note(models.Model):
                author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
                objects = NoteQuerySet.as_manager()
        ''',
        "posts/schemas.py": '''
            from ninja import ModelSchema
            from accounts.models import User
            from posts.models import Note, Post

            class AuthorOut(ModelSchema):
                following: bool

                class Meta:
                    model = User
                    fields = ["username"]

                @staticmethod
                def resolve_following(obj, context):
                    return obj.followers.filter(pk=context["request"].user.id).exists()

            class PostOut(ModelSchema):
                author: AuthorOut
                likesCount: int

                class Meta:
                    model = Post
                    fields = ["id"]

                @staticmethod
                def resolve_likesCount(obj):
                    return obj.num_likes

            class AuthorSlim(ModelSchema):
                class Meta:
                    model = User
                    fields = ["username"]

            class PostSlimOut(ModelSchema):
                author: AuthorSlim

                class Meta:
                    model = Post
                    fields = ["id"]

            class NoteOut(ModelSchema):
                class Meta:
                    model = Note
                    fields = ["id"]
        ''',
        "posts/api.py": '''
            from ninja import Router
            from posts.models import Note, Post
            from posts.schemas import NoteOut, PostOut, PostSlimOut

            router = Router()

            @router.get("/posts")
            def list_posts(request):
                rows = list(Post.objects.with_counts().order_by("-id")[:20])
                return [PostOut.from_orm(p, context={"request": request}) for p in rows]

            @router.get("/posts/fast")
            def list_posts_fast(request):
                rows = Post.objects.with_counts().select_related("author")
                return [PostSlimOut.model_validate(p) for p in rows]

            @router.get("/notes")
            def list_notes(request):
                return [NoteOut.from_orm(n) for n in Note.objects.recent()]

            @router.get("/posts/{pk}")
            def one_post(request, pk: int):
                return PostOut.from_orm(Post.objects.with_counts().get(pk=pk))
        ''',
    })
    found = n_plus_one(root)
    assert found == [("AL601", "posts/api.py", 10)]
    message = next(f.message for f in report(root).findings if f.rule == "AL601")
    assert "2 queries per row" in message and "lazy load of `author`" in message


def test_drf_all_fields_serialise_forward_relations_not_reverse_accessors(tmp_path):
    """``fields = "__all__"`` serialises a model's own fields: its many-to-many ``tags`` (a query
    per row without ``prefetch_related``), never the ``articles`` reverse accessor another model's
    foreign key creates on ``User`` (label-studio's PredictionSerializer: a false N+1)."""
    root = make_repo(tmp_path, {
        "blog/models.py": DJANGO_MODELS,
        "blog/serializers.py": '''
            from rest_framework import serializers
            from blog.models import Article, User

            class UserSerializer(serializers.ModelSerializer):
                class Meta:
                    model = User
                    fields = "__all__"

            class ArticleSerializer(serializers.ModelSerializer):
                class Meta:
                    model = Article
                    fields = "__all__"
        ''',
        "blog/views.py": '''
            from rest_framework import generics
            from blog.models import Article, User
            from blog.serializers import ArticleSerializer, UserSerializer

            class UserList(generics.ListAPIView):
                queryset = User.objects.all()
                serializer_class = UserSerializer

            class ArticleList(generics.ListAPIView):
                queryset = Article.objects.all()
                serializer_class = ArticleSerializer

            class PrefetchedArticleList(generics.ListAPIView):
                queryset = Article.objects.prefetch_related("tags")
                serializer_class = ArticleSerializer
        ''',
    })
    assert n_plus_one(root) == [("AL601", "blog/views.py", 10)]


def test_a_memo_guard_makes_a_query_run_once_per_key_not_per_row(tmp_path):
    """``if not hasattr(obj, "_cache"): obj._cache = <query>`` in a helper a loop calls runs the
    query once per object (pretix's per-event layout map); a guard *around* the loop guards nothing
    per row, and a per-row query with no guard is still an N+1."""
    root = make_repo(tmp_path, {
        "blog/models.py": DJANGO_MODELS,
        "blog/export.py": '''
            from blog.models import Article, Tag

            class Renderer:
                def __init__(self, author):
                    self.author = author

                def tags(self):
                    if not hasattr(self.author, "_tag_cache"):
                        self.author._tag_cache = list(Tag.objects.filter(articles__author=self.author))
                    return self.author._tag_cache

                def titles(self):
                    return list(Article.objects.filter(author=self.author))

            def export():
                for article in Article.objects.select_related("author"):
                    Renderer(article.author).tags()

            def export_unguarded():
                for article in Article.objects.select_related("author"):
                    Renderer(article.author).titles()

            def export_guarded_outside(cache):
                if "done" not in cache:
                    cache["done"] = True
                    for article in Article.objects.select_related("author"):
                        list(Tag.objects.filter(articles=article))
        ''',
    })
    assert n_plus_one(root) == [("AL601", "blog/export.py", 21), ("AL601", "blog/export.py", 27)]


def test_a_nested_serializer_finding_names_the_relation_it_runs_on(tmp_path):
    """A query a nested serializer (or schema) runs is one per *related* object: the finding names the
    relation and the field declaring the nesting (``ArticleSerializer.author = ProfileSerializer()``),
    the location stays the list's queryset and the trace points at the query itself."""
    root = make_repo(tmp_path, {
        "blog/models.py": DJANGO_MODELS + '''
    class Follow(models.Model):
        follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
''',
        "blog/services.py": '''
            from blog.models import Follow

            def is_following(viewer, profile):
                return Follow.objects.filter(follower=viewer, followee=profile).exists()
        ''',
        "blog/serializers.py": '''
            from rest_framework import serializers
            from blog.models import Article, User
            from blog.services import is_following

            class ProfileSerializer(serializers.ModelSerializer):
                following = serializers.SerializerMethodField()

                class Meta:
                    model = User
                    fields = ["username", "following"]

                def get_following(self, obj):
                    return is_following(self.context["request"].user, obj)

            class ArticleSerializer(serializers.ModelSerializer):
                author = ProfileSerializer(read_only=True)

                class Meta:
                    model = Article
                    fields = ["title", "author"]
        ''',
        "blog/views.py": '''
            from rest_framework import generics
            from blog.models import Article
            from blog.serializers import ArticleSerializer

            class ArticleList(generics.ListAPIView):
                queryset = Article.objects.select_related("author")
                serializer_class = ArticleSerializer
        ''',
        "blog/api.py": '''
            from typing import List
            from ninja import Router, Schema
            from blog.models import Article

            router = Router()

            class TagOut(Schema):
                name: str

            class UserOut(Schema):
                username: str
                articles: List[TagOut]

            class ArticleOut(Schema):
                title: str
                author: UserOut

            @router.get("/articles", response=List[ArticleOut])
            def list_articles(request):
                return Article.objects.select_related("author")
        ''',
    })
    findings = {f.path: f for f in report(root).findings if f.rule == "AL601"}
    drf = findings["blog/views.py"]
    assert drf.line == 6
    assert "`exists` query on Follow for each `author`" in drf.message
    assert "nested `ArticleSerializer.author = ProfileSerializer()`" in drf.message
    assert "along `author`" in drf.guidance
    assert drf.trace[-1].path == "blog/services.py" and drf.trace[-1].line == 4
    assert any("serialises each `author` with `ArticleSerializer.author = ProfileSerializer()`" in step.note
               for step in drf.trace)
    ninja = findings["blog/api.py"]
    assert ninja.line == 18
    assert "nested `ArticleOut.author: UserOut`" in ninja.message and "for each `author`" in ninja.message


def test_select_related_without_fields_loads_the_non_null_foreign_keys(tmp_path):
    """django-helpdesk's ``Ticket.objects.select_related()``: with no field Django follows every
    foreign key that is not ``null=True`` (and theirs); ``queue`` comes with the ticket, the
    nullable ``assigned_to`` is still read per row."""
    root = make_repo(tmp_path, {
        "desk/models.py": '''
            from django.db import models

            class Owner(models.Model):
                name = models.CharField(max_length=50)

            class Queue(models.Model):
                title = models.CharField(max_length=50)
                owner = models.ForeignKey(Owner, on_delete=models.CASCADE)

            class Agent(models.Model):
                name = models.CharField(max_length=50)

            class Ticket(models.Model):
                queue = models.ForeignKey(Queue, on_delete=models.CASCADE)
                assigned_to = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True)
        ''',
        "desk/views.py": '''
            from django.http import JsonResponse
            from desk.models import Ticket

            def queues(request):
                return JsonResponse({"t": [(t.queue.title, t.queue.owner.name) for t in Ticket.objects.select_related()]})

            def agents(request):
                return JsonResponse({"t": [t.assigned_to.name for t in Ticket.objects.select_related()]})
        ''',
    })
    assert n_plus_one(root) == [("AL603", "desk/views.py", 8)]
