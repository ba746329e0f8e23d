"""AL234: a lookup that raises on a missing row (Django `.get()`, SQLAlchemy `.scalar_one()`), keyed by what the
client sent and caught by nothing — the shapes real apps showed, beside the fixture pairs
(`agent-drf-missing-row-*`, `agent-fastapi-missing-row-*`, `agent-flask-missing-row-*`)."""

from __future__ import annotations

from helpers import make_repo, report

MODELS = '''
    from django.contrib.auth.models import User
    from django.db import models


    class Article(models.Model):
        slug = models.SlugField(unique=True)
        title = models.CharField(max_length=200)
        author = models.ForeignKey(User, on_delete=models.CASCADE)
'''

URLS = '''
    from django.urls import path

    from blog import views

    urlpatterns = [
        path("articles/<slug:slug>", views.article),
        path("articles/<slug:slug>/other", views.other),
    ]
'''


def _django(tmp_path, views: str, **extra):
    files = {
        "requirements.txt": "Django==5.1\n",
        "blog/__init__.py": "",
        "blog/migrations/__init__.py": "",
        "blog/models.py": MODELS,
        "blog/urls.py": URLS,
        "blog/views.py": views,
    }
    files.update(extra)
    return make_repo(tmp_path, files)


def _found(root):
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == "AL234")


VIEWS = '''
    from django.http import JsonResponse
    from blog.models import Article


    def article(request, slug):
        found = Article.objects.get(slug=slug)
        return JsonResponse({"title": found.title})


    def other(request, slug):
        try:
            found = Article.objects.get(slug=slug)
        except Article.DoesNotExist:
            raise
        return JsonResponse({"title": found.title})
'''


def test_a_handler_that_reraises_catches_nothing(tmp_path):
    assert _found(_django(tmp_path, VIEWS)) == [("blog/views.py", 6), ("blog/views.py", 12)]


def test_a_django_middleware_with_process_exception_may_answer_it(tmp_path):
    middleware = '''
        from django.http import JsonResponse


        class NotFoundMiddleware:
            def __init__(self, get_response):
                self.get_response = get_response

            def __call__(self, request):
                return self.get_response(request)

            def process_exception(self, request, exception):
                return JsonResponse({"detail": str(exception)}, status=404)
    '''
    assert _found(_django(tmp_path, VIEWS, **{"blog/middleware.py": middleware})) == []


def test_a_drf_exception_handler_setting_may_answer_it_for_drf_views_only(tmp_path):
    # pretalx: DRF's EXCEPTION_HANDLER sees what an APIView / @api_view raises; a plain Django view's
    # DoesNotExist never reaches it (Django answers 500)
    settings = '''
        REST_FRAMEWORK = {"EXCEPTION_HANDLER": "blog.exceptions.handler"}
    '''
    assert _found(_django(tmp_path, VIEWS, **{"blog/settings.py": settings})) == [("blog/views.py", 6), ("blog/views.py", 12)]
    drf = '''
        from rest_framework.decorators import api_view
        from rest_framework.response import Response
        from blog.models import Article


        @api_view(["GET"])
        def article(request, slug):
            return Response({"title": Article.objects.get(slug=slug).title})


        @api_view(["GET"])
        def other(request, slug):
            return Response({"title": Article.objects.get(slug=slug).title})
    '''
    assert _found(_django(tmp_path / "drf", drf, **{"blog/settings.py": settings})) == []
    assert _found(_django(tmp_path / "bare", drf)) == [("blog/views.py", 8), ("blog/views.py", 13)]


def test_a_lookup_by_a_row_just_fetched_is_not_client_input(tmp_path):
    # dispatch's login: the token of the user the credentials authenticated, then the user by that token
    views = '''
        from django.contrib.auth import authenticate
        from django.http import JsonResponse
        from blog.models import Article


        def article(request, slug):
            user = authenticate(request, username=request.POST["email"], password=request.POST["password"])
            found = Article.objects.get_or_create(author=user, slug=slug)[0]
            again = Article.objects.get(author=found.author, slug=found.slug)
            return JsonResponse({"title": again.title})


        def other(request, slug):
            return JsonResponse({"ok": True})
    '''
    assert _found(_django(tmp_path, views)) == []


FASTAPI = '''
    from fastapi import FastAPI
    from sqlalchemy import String, create_engine, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

    engine = create_engine("sqlite://")
    app = FastAPI()


    class Base(DeclarativeBase):
        pass


    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        slug: Mapped[str] = mapped_column(String(80))


    @app.get("/articles/{slug}")
    def article(slug: str):
        with Session(engine) as session:
            found = session.execute(select(Article).where(Article.slug == slug)).scalar_one()
            return {"slug": found.slug}


    @app.get("/first")
    def first():
        with Session(engine) as session:
            found = session.execute(select(Article).where(Article.slug == "welcome")).scalar_one()
            return {"slug": found.slug}
'''


def test_fastapi_scalar_one_by_a_path_parameter_but_not_by_a_constant(tmp_path):
    root = make_repo(tmp_path, {"requirements.txt": "fastapi\nsqlalchemy>=2\n", "main.py": FASTAPI})
    assert _found(root) == [("main.py", 22)]


def test_an_exception_handler_for_exception_covers_it(tmp_path):
    source = FASTAPI + '''

    @app.exception_handler(Exception)
    async def everything(request, exc):
        return {"detail": "error"}
    '''
    root = make_repo(tmp_path, {"requirements.txt": "fastapi\nsqlalchemy>=2\n", "main.py": source})
    assert _found(root) == []


def test_a_path_that_checked_exists_first_is_not_judged(tmp_path):
    views = '''
        from django.http import Http404, JsonResponse
        from blog.models import Article


        def article(request, slug):
            if not Article.objects.filter(slug=slug).exists():
                raise Http404("no article")
            found = Article.objects.get(slug=slug)
            return JsonResponse({"title": found.title})


        def other(request, slug):
            articles = Article.objects.filter(slug=slug)
            if not articles.exists():
                return JsonResponse({"detail": "not found"}, status=404)
            return JsonResponse({"title": articles.get().title})
    '''
    assert _found(_django(tmp_path, views)) == []


PROXY_MODELS = MODELS + '''

    class Tag(models.Model):
        name = models.CharField(max_length=50)


    class Entry(Article):
        class Meta:
            proxy = True


    class Published(Entry):
        class Meta:
            proxy = True
'''


def test_exists_on_the_concrete_model_checks_a_get_through_its_proxy(tmp_path):
    # arches: `Tile.objects.get(pk=x)` after `TileModel.objects.filter(pk=x).exists()`, Tile a proxy of TileModel
    views = '''
        from django.http import Http404, JsonResponse
        from blog.models import Article, Published


        def article(request, slug):
            if not Article.objects.filter(slug=slug).exists():
                raise Http404("no article")
            found = Published.objects.get(slug=slug)
            return JsonResponse({"title": found.title})


        def other(request, slug):
            if not Published.objects.filter(slug=slug).exists():
                raise Http404("no article")
            return JsonResponse({"title": Article.objects.get(slug=slug).title})
    '''
    assert _found(_django(tmp_path, views, **{"blog/models.py": PROXY_MODELS})) == []


def test_exists_on_another_model_checks_no_get(tmp_path):
    views = '''
        from django.http import Http404, JsonResponse
        from blog.models import Entry, Tag


        def article(request, slug):
            if not Tag.objects.filter(name=slug).exists():
                raise Http404("no tag")
            found = Entry.objects.get(slug=slug)
            return JsonResponse({"title": found.title})


        def other(request, slug):
            return JsonResponse({"title": "-"})
    '''
    assert _found(_django(tmp_path, views, **{"blog/models.py": PROXY_MODELS})) == [("blog/views.py", 8)]


def test_a_view_s_own_handle_exception_covers_only_its_views(tmp_path):
    views = '''
        from rest_framework.response import Response
        from rest_framework.views import APIView
        from blog.models import Article


        class Handled(APIView):
            def handle_exception(self, exc):
                if isinstance(exc, Article.DoesNotExist):
                    return Response({"detail": "not found"}, status=404)
                return super().handle_exception(exc)


        class ArticleView(Handled):
            def get(self, request, slug):
                return Response({"title": Article.objects.get(slug=slug).title})


        class OtherView(APIView):
            def get(self, request, slug):
                return Response({"title": Article.objects.get(slug=slug).title})

    '''
    urls = '''
        from django.urls import path

        from blog import views

        urlpatterns = [
            path("articles/<slug:slug>", views.ArticleView.as_view()),
            path("articles/<slug:slug>/other", views.OtherView.as_view()),
        ]
    '''
    assert _found(_django(tmp_path, views, **{"blog/urls.py": urls})) == [("blog/views.py", 20)]


def test_a_value_a_helper_computed_from_the_request_is_not_the_client_s_key(tmp_path):
    # askbot's analytics: rows paginated by a helper that reads `request.GET["page"]`, then each row's group
    views = '''
        from django.core.paginator import Paginator
        from django.http import JsonResponse
        from blog.models import Article


        def paginated(request, objects):
            paginator = Paginator(objects, 20)
            page = paginator.page(request.GET.get("page", 1))
            return page.object_list, {"pages": paginator.num_pages}


        def article(request, slug):
            rows, context = paginated(request, Article.objects.values("author_id"))
            for row in rows:
                first = Article.objects.get(author_id=row["author_id"], slug=slug.lower())
            return JsonResponse(context)


        def other(request, slug):
            rows, context = paginated(request, Article.objects.values("author_id"))
            names = [Article.objects.get(pk=row["author_id"]).title for row in rows]
            return JsonResponse({"names": names})
    '''
    assert _found(_django(tmp_path, views)) == [("blog/views.py", 15)]


def test_a_view_s_dispatch_catching_exception_is_no_middleware(tmp_path):
    # wagtail's CreateView.dispatch catches ContentType.DoesNotExist; it answers for its own view only
    views = '''
        from django.http import Http404, JsonResponse
        from django.views import View
        from blog.models import Article


        class Create(View):
            def dispatch(self, request, *args, **kwargs):
                try:
                    self.parent = Article.objects.get(slug=kwargs["slug"])
                except Exception:
                    raise Http404
                return super().dispatch(request, *args, **kwargs)


        def article(request, slug):
            return JsonResponse({"title": Article.objects.get(slug=slug).title})


        def other(request, slug):
            return JsonResponse({"ok": True})
    '''
    assert _found(_django(tmp_path, views)) == [("blog/views.py", 16)]


def test_a_django_middleware_listed_in_settings_catching_exception_answers_it(tmp_path):
    # the middleware is known from the MIDDLEWARE setting (not from its name); its `__call__` catches everything
    middleware = '''
        from django.http import JsonResponse


        class Errors:
            def __init__(self, get_response):
                self.get_response = get_response

            def __call__(self, request):
                try:
                    return self.get_response(request)
                except Exception:
                    return JsonResponse({"detail": "not found"}, status=404)
    '''
    settings = '''
        MIDDLEWARE = ["django.middleware.common.CommonMiddleware", "blog.middleware.Errors"]
    '''
    assert _found(_django(tmp_path, VIEWS, **{"blog/middleware.py": middleware, "blog/settings.py": settings})) == []
    assert _found(_django(tmp_path / "unlisted", VIEWS, **{"blog/middleware.py": middleware})) == [
        ("blog/views.py", 6), ("blog/views.py", 12)]


def test_a_ninja_api_s_handler_answers_for_its_operations_only(tmp_path):
    # wagtail's api/v3: `register_exception_handlers(api: NinjaAPI)` with `@api.exception_handler(Exception)`;
    # the project's plain Django views are not ninja operations
    errors = '''
        from ninja import NinjaAPI


        def register(api: NinjaAPI):
            @api.exception_handler(Exception)
            def everything(request, exc):
                return api.create_response(request, {"detail": str(exc)}, status=500)
    '''
    assert _found(_django(tmp_path, VIEWS, **{"blog/errors.py": errors})) == [("blog/views.py", 6), ("blog/views.py", 12)]


def test_a_flask_errorhandler_for_a_status_code_does_not_catch_no_result_found(tmp_path):
    source = '''
        from flask import Flask
        from sqlalchemy import String, create_engine, select
        from sqlalchemy.exc import NoResultFound
        from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

        engine = create_engine("sqlite://")
        app = Flask(__name__)


        class Base(DeclarativeBase):
            pass


        class Article(Base):
            __tablename__ = "articles"
            id: Mapped[int] = mapped_column(primary_key=True)
            slug: Mapped[str] = mapped_column(String(80))


        @app.route("/articles/<slug>")
        def article(slug):
            with Session(engine) as session:
                return {"slug": session.execute(select(Article).where(Article.slug == slug)).scalar_one().slug}


        @app.errorhandler(404)
        def not_found(error):
            return {"detail": "not found"}, 404
    '''
    root = make_repo(tmp_path, {"requirements.txt": "flask\nsqlalchemy>=2\n", "app.py": source})
    assert _found(root) == [("app.py", 23)]
    covered = make_repo(tmp_path / "covered", {"requirements.txt": "flask\nsqlalchemy>=2\n",
                                               "app.py": source.replace("errorhandler(404)", "errorhandler(NoResultFound)")})
    assert _found(covered) == []
