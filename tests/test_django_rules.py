"""Django's URL tree and settings as the model reads them, and the two Django rules (AL803
trailing slash under APPEND_SLASH, AL804 CSRF on API views): each premise, and the look-alikes
that must stay silent (the bundled framework-django-* fixtures hold the full apps)."""

from __future__ import annotations

from helpers import findings, make_repo, report

from archlint.semantics import django_settings

MIDDLEWARE = '''
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "conduit.urls"
'''

# A Conduit-shaped app: eight of Conduit's twelve paths, so the Conduit contract applies.
VIEWS = '''
import json
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

@csrf_exempt
@require_POST
def register(request):
    return JsonResponse({"user": json.loads(request.body)["user"]}, status=201)

@require_POST
def login(request):
    return JsonResponse({"user": json.loads(request.body)["user"]})

@csrf_exempt
def user(request):
    return JsonResponse({"user": {}})

def profile(request, username):
    return JsonResponse({"profile": {"username": username}})

@csrf_exempt
@require_http_methods(["POST", "DELETE"])
def follow(request, username):
    return JsonResponse({"profile": {"username": username}})

@csrf_exempt
def articles(request):
    return JsonResponse({"articles": []})

@csrf_exempt
def article(request, slug):
    return JsonResponse({"article": {"slug": slug}})

def tags(request):
    return JsonResponse({"tags": []})
'''

URLS = '''
from django.urls import include, path
from conduit import views

urlpatterns = [
    path("api/users", views.register),
    path("api/users/login/", views.login),
    path("api/user", views.user),
    path("api/profiles/<str:username>", views.profile),
    path("api/profiles/<str:username>/follow", views.follow),
    path("api/articles", views.articles),
    path("api/articles/<slug:slug>", views.article),
    path("api/tags", views.tags),
]
'''


def _app(tmp_path, name, settings=MIDDLEWARE, urls=URLS, views=VIEWS, extra=None):
    files = {
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduit.settings")\n',
        "conduit/__init__.py": "",
        "conduit/settings.py": settings,
        "conduit/urls.py": urls,
        "conduit/views.py": views,
        **(extra or {}),
    }
    return make_repo(tmp_path / name, files)


def _rules(root, rule):
    return [(path, line) for found, path, line in findings(root) if found == rule]


def test_slashed_pattern_the_conduit_contract_calls_unslashed(tmp_path):
    root = _app(tmp_path, "bug")
    assert _rules(root, "AL803") == [("conduit/urls.py", 6)]
    assert _rules(root, "AL804") == [("conduit/views.py", 12)]  # login: POST, not exempt


def test_append_slash_off_or_no_common_middleware_is_silent(tmp_path):
    off = _app(tmp_path, "off", settings=MIDDLEWARE + "APPEND_SLASH = False\n")
    without = _app(tmp_path, "without", settings=MIDDLEWARE.replace('    "django.middleware.common.CommonMiddleware",\n', ""))
    assert _rules(off, "AL803") == []
    assert _rules(without, "AL803") == []


def test_no_contract_no_trailing_slash_finding(tmp_path):
    """Three routes are not a Conduit app: archlint does not know what its clients call."""
    urls = '''
    from django.urls import path
    from conduit import views
    urlpatterns = [path("api/users/login/", views.login), path("api/tags/", views.tags), path("api/user/", views.user)]
    '''
    root = _app(tmp_path, "plain", urls=urls)
    assert _rules(root, "AL803") == []


def test_split_settings_decide_through_star_imports_and_the_settings_module(tmp_path):
    split = {
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduit.settings.production")\n',
        "conduit/settings.py": None,
        "conduit/settings/__init__.py": "",
        "conduit/settings/base.py": MIDDLEWARE,
        "conduit/settings/production.py": 'from .base import *\nMIDDLEWARE.remove("django.middleware.csrf.CsrfViewMiddleware")\n',
    }
    files = {k: v for k, v in split.items() if v is not None}
    root = make_repo(tmp_path / "split", {"conduit/__init__.py": "", "conduit/urls.py": URLS, "conduit/views.py": VIEWS, **files})
    assert _rules(root, "AL804") == []  # production removes CsrfViewMiddleware
    assert _rules(root, "AL803") == [("conduit/urls.py", 6)]  # CommonMiddleware comes from base
    program = report(root).context.program
    production = django_settings.read(program, "conduit/settings/production.py")
    assert "django.middleware.csrf.CsrfViewMiddleware" not in production["MIDDLEWARE"].value
    assert production["MIDDLEWARE"].certain


def test_conditional_removal_is_unknown_not_a_yes(tmp_path):
    settings = MIDDLEWARE + 'import os\nif os.environ.get("API_ONLY"):\n    MIDDLEWARE.remove("django.middleware.csrf.CsrfViewMiddleware")\n'
    root = _app(tmp_path, "maybe", settings=settings)
    assert _rules(root, "AL804") == []


def test_csrf_exempt_in_urls_a_project_decorator_and_an_unknown_decorator(tmp_path):
    views = VIEWS.replace("@require_POST\ndef login", "@some_auth.token_required\n@require_POST\ndef login").replace(
        "import json", "import json\nimport some_auth")
    unknown = _app(tmp_path, "unknown", views=views)
    wrapped = _app(tmp_path, "wrapped", urls=URLS.replace("views.login)", "csrf_exempt(views.login))").replace(
        "from conduit import views", "from conduit import views\nfrom django.views.decorators.csrf import csrf_exempt"))
    project = _app(tmp_path, "project", views=VIEWS.replace("@require_POST\ndef login", "@api\n@require_POST\ndef login").replace(
        "import json", "import json\nfrom functools import wraps\n\ndef api(view):\n    @csrf_exempt\n    @wraps(view)\n"
                       "    def inner(request, *args, **kwargs):\n        return view(request, *args, **kwargs)\n    return inner\n")
        .replace("def api(view)", "from django.views.decorators.csrf import csrf_exempt\ndef api(view)"))
    assert _rules(unknown, "AL804") == []  # a library decorator archlint cannot read may exempt it
    assert _rules(wrapped, "AL804") == []
    assert _rules(project, "AL804") == []


def test_class_based_views_drf_views_and_get_only_views(tmp_path):
    views = VIEWS + '''
from django.utils.decorators import method_decorator
from django.views import View
from rest_framework.views import APIView

class CommentsView(View):
    def get(self, request, slug):
        return JsonResponse({"comments": []})
    def post(self, request, slug):
        return JsonResponse({"comment": {}})

@method_decorator(csrf_exempt, name="dispatch")
class FavoriteView(View):
    def post(self, request, slug):
        return JsonResponse({})

class FeedView(APIView):
    def post(self, request):
        return JsonResponse({})
'''
    urls = URLS.replace("]\n", '''    path("api/articles/<slug:slug>/comments", views.CommentsView.as_view()),
    path("api/articles/<slug:slug>/favorite", views.FavoriteView.as_view()),
    path("api/articles/feed", views.FeedView.as_view()),
]
''')
    root = _app(tmp_path, "classes", views=views, urls=urls)
    lines = [line for _path, line in _rules(root, "AL804")]
    assert lines == [12, 42]  # login, CommentsView; FavoriteView is exempt, FeedView is DRF, profile is GET only


def test_routes_table_joins_includes_and_expands_drf_routers(tmp_path):
    files = {
        "conduit/settings.py": MIDDLEWARE,
        "conduit/urls.py": 'from django.urls import include, path\nurlpatterns = [path("api/", include("blog.urls"))]\n',
        "blog/__init__.py": "",
        "blog/urls.py": '''
from django.urls import include, path
from rest_framework import routers
from . import views
router = routers.SimpleRouter(trailing_slash=False)
router.register(r"articles", views.ArticleViewSet)
urlpatterns = [path("feed", views.feed)]
urlpatterns += router.urls
''',
        "blog/views.py": '''
from rest_framework import mixins, viewsets
from rest_framework.decorators import action, api_view

class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    http_method_names = ["get", "post", "delete"]

    @action(detail=True, methods=["post", "delete"], url_path="favorite")
    def favorite_article(self, request, slug=None):
        pass

@api_view()
def feed(request):
    pass
''',
    }
    root = make_repo(tmp_path / "tree", files)
    routes = {(r.method, r.path) for r in report(root).context.program.routes() if r.method != "USE"}
    assert routes == {("GET", "/api/feed"), ("GET", "/api/articles"), ("GET,DELETE", "/api/articles/<slug>"),
                      ("POST,DELETE", "/api/articles/<slug>/favorite")}


def test_form_views_of_a_site_with_no_api_contract_post_a_token(tmp_path):
    """wagtail's admin, a blog's comment form: session-authenticated HTML views POST the CSRF
    token their template renders, so CsrfViewMiddleware is right there — no API contract, no AL804."""
    views = '''
from django.shortcuts import redirect, render

def set_privacy(request, page_id):
    if request.method == "POST":
        return redirect("page", page_id)
    return render(request, "privacy.html", {"page_id": page_id})

def comment(request, slug):
    if request.method == "POST":
        return redirect("post", slug)
    return render(request, "comment.html")
'''
    urls = '''
from django.urls import path
from conduit import views

urlpatterns = [
    path("pages/<int:page_id>/privacy/", views.set_privacy),
    path("posts/<slug:slug>/comment/", views.comment),
]
'''
    root = _app(tmp_path, "site", urls=urls, views=views)
    assert _rules(root, "AL804") == []
    with_spec = _app(tmp_path, "spec", urls=URLS, views=VIEWS.replace("@csrf_exempt\ndef articles", "def articles"))
    assert ("conduit/views.py", 27) in _rules(with_spec, "AL804")  # the same middleware on an API does fire


def test_a_delete_through_a_related_manager_is_filtered_by_its_foreign_key(tmp_path):
    """label-studio: ``self.user.task_locks.all().delete()`` deletes that user's locks — Django's
    related manager adds ``WHERE user_id = …`` (2 false AL405 "DELETE with no WHERE" before).  The
    same delete through the model's own manager deletes every row."""
    root = make_repo(tmp_path, {
        "requirements.txt": "django==5.1\n",
        "locks/__init__.py": "",
        "locks/models.py": """
            from django.db import models

            class Member(models.Model):
                name = models.CharField(max_length=80)

            class TaskLock(models.Model):
                member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="task_locks")
                expire_at = models.DateTimeField()

            class Membership(models.Model):
                member = models.ForeignKey(Member, on_delete=models.CASCADE)

                def leave(self):
                    self.member.task_locks.all().delete()
                    self.delete()

                def leave_all(self):
                    TaskLock.objects.all().delete()
                    self.delete()
        """,
        "locks/views.py": """
            from django.http import JsonResponse
            from locks.models import Membership

            def leave(request, pk):
                Membership.objects.get(pk=pk).leave()
                return JsonResponse({})

            def leave_all(request, pk):
                Membership.objects.get(pk=pk).leave_all()
                return JsonResponse({})
        """,
        "locks/urls.py": """
            from django.urls import path
            from locks import views

            urlpatterns = [path("m/<int:pk>/leave", views.leave), path("m/<int:pk>/leave-all", views.leave_all)]
        """,
    })
    assert _rules(root, "AL405") == [("locks/models.py", 18)]


def test_drf_paginator_objects_hand_back_a_page_of_the_queryset(tmp_path):
    # Nekspert/Django-RealWorld: an APIView pages with its own paginator object, then serializes the page
    from helpers import findings as _findings
    from helpers import make_repo as _make_repo

    files = {
        "requirements.txt": "django\ndjangorestframework\n",
        "blog/models.py": '''
            from django.db import models

            class Author(models.Model):
                name = models.CharField(max_length=50)

            class Post(models.Model):
                title = models.CharField(max_length=50)
                author = models.ForeignKey(Author, on_delete=models.CASCADE)
        ''',
        "blog/views.py": '''
            from rest_framework import serializers
            from rest_framework.pagination import CursorPagination
            from rest_framework.response import Response
            from rest_framework.views import APIView
            from blog.models import Post

            class PostSerializer(serializers.ModelSerializer):
                author_name = serializers.CharField(source="author.name")

                class Meta:
                    model = Post
                    fields = ("title", "author_name")

            class Posts(APIView):
                def get(self, request):
                    paginator = CursorPagination()
                    page = paginator.paginate_queryset(QUERY, request, view=self)
                    return Response(PostSerializer(page, many=True).data)
        ''',
    }
    bug = _make_repo(tmp_path / "bug", {**files, "blog/views.py": files["blog/views.py"].replace("QUERY", 'Post.objects.order_by("id")')})
    assert [f[0] for f in _findings(bug) if f[0] in ("AL601", "AL603")] == ["AL603"]
    fixed = _make_repo(tmp_path / "fixed", {**files, "blog/views.py": files["blog/views.py"].replace("QUERY", 'Post.objects.select_related("author").order_by("id")')})
    assert [f for f in _findings(fixed) if f[0] in ("AL601", "AL603")] == []


def test_a_source_chain_names_each_lazy_load_by_its_path_from_the_row(tmp_path):
    # `source="author.user.username"` loads each article's author, then that author's user: the
    # second load is `author.user` (what select_related takes as author__user), not a bare `user`
    files = {
        "requirements.txt": "django\ndjangorestframework\n",
        "blog/models.py": '''
            from django.db import models

            class User(models.Model):
                username = models.CharField(max_length=50)

            class Profile(models.Model):
                user = models.OneToOneField(User, on_delete=models.CASCADE)

            class Article(models.Model):
                title = models.CharField(max_length=50)
                author = models.ForeignKey(Profile, on_delete=models.CASCADE)
        ''',
        "blog/views.py": '''
            from rest_framework import generics, serializers
            from blog.models import Article

            class ArticleSerializer(serializers.ModelSerializer):
                author_name = serializers.CharField(source="author.user.username")

                class Meta:
                    model = Article
                    fields = ("title", "author_name")

            class Articles(generics.ListAPIView):
                queryset = QUERY
                serializer_class = ArticleSerializer
        ''',
    }
    bug = make_repo(tmp_path / "bug", {**files, "blog/views.py": files["blog/views.py"].replace("QUERY", "Article.objects.all()")})
    al603 = [f for f in report(bug).findings if f.rule == "AL603"]
    assert len(al603) == 1 and al603[0].message.startswith("N+1: `author`, `author.user` are lazy-loaded"), al603
    assert [step.note for step in al603[0].trace][-2:] == ["lazy load of `author`", "lazy load of `author.user`"]
    half = make_repo(tmp_path / "half", {**files, "blog/views.py": files["blog/views.py"].replace("QUERY", 'Article.objects.select_related("author")')})
    al603 = [f for f in report(half).findings if f.rule == "AL603"]
    assert len(al603) == 1 and al603[0].message.startswith("N+1: `author.user` is lazy-loaded"), al603
    fixed = make_repo(tmp_path / "fixed", {**files, "blog/views.py": files["blog/views.py"].replace("QUERY", 'Article.objects.select_related("author__user")')})
    assert [f for f in findings(fixed) if f[0] in ("AL601", "AL603")] == []


def test_al603_guidance_names_the_django_path_of_a_nested_relation(tmp_path):
    # `article.author.user.username` in a loop (directly, or in a helper the loop calls) loads each
    # article's author and that author's user: the fix is select_related("author__user"), not "user"
    files = {
        "requirements.txt": "django\n",
        "blog/__init__.py": "",
        "blog/models.py": '''
            from django.db import models

            class User(models.Model):
                username = models.CharField(max_length=50)

            class Profile(models.Model):
                user = models.OneToOneField(User, on_delete=models.CASCADE)

            class Article(models.Model):
                title = models.CharField(max_length=50)
                author = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="articles")
        ''',
        "blog/views.py": '''
            from django.http import JsonResponse
            from blog.models import Article

            def _name(article):
                return article.author.user.username

            def articles(request):
                return JsonResponse({"articles": [{"title": a.title, "author": _name(a)} for a in QUERY]})
        ''',
    }
    bug = make_repo(tmp_path / "bug", {**files, "blog/views.py": files["blog/views.py"].replace("QUERY", "Article.objects.all()")})
    al603 = [f for f in report(bug).findings if f.rule == "AL603"]
    assert len(al603) == 1 and al603[0].message.startswith("N+1: `author`, `author.user` are lazy-loaded"), al603
    assert 'select_related("author__user")' in al603[0].guidance, al603[0].guidance
    half = make_repo(tmp_path / "half", {**files, "blog/views.py": files["blog/views.py"].replace("QUERY", 'Article.objects.select_related("author")')})
    al603 = [f for f in report(half).findings if f.rule == "AL603"]
    assert len(al603) == 1 and al603[0].message.startswith("N+1: `author.user` is lazy-loaded"), al603
    assert 'select_related("author__user")' in al603[0].guidance, al603[0].guidance
    fixed = make_repo(tmp_path / "fixed", {**files, "blog/views.py": files["blog/views.py"].replace("QUERY", 'Article.objects.select_related("author__user")')})
    assert [f for f in findings(fixed) if f[0] in ("AL601", "AL603")] == []


def test_a_page_is_ordered_by_the_meta_ordering_a_model_inherits(tmp_path):
    # django-notifications-hq: `class Meta(AbstractNotification.Meta)` keeps the abstract base's ordering, and a
    # child declaring no Meta inherits it; a plain `class Meta:` of its own replaces the abstract base's options
    # (Django's rules): only that page has no defined order (AL409)
    models = '''
        from django.db import models

        class Stamped(models.Model):
            created = models.DateTimeField(auto_now_add=True)

            class Meta:
                abstract = True
                ordering = ("-created",)

        class Note(Stamped):
            class Meta(Stamped.Meta):
                abstract = False

        class Entry(Stamped):
            text = models.TextField()

        class Draft(Stamped):
            class Meta:
                verbose_name = "draft"
    '''
    views = '''
        from django.http import JsonResponse
        from app.models import Draft, Entry, Note

        def notes(request):
            return JsonResponse({"ids": [n.id for n in Note.objects.filter(created__isnull=False)[0:10]]})

        def entries(request):
            return JsonResponse({"ids": [e.id for e in Entry.objects.filter(text="x")[0:10]]})

        def drafts(request):
            return JsonResponse({"ids": [d.id for d in Draft.objects.filter(created__isnull=False)[0:10]]})
    '''
    urls = '''
        from django.urls import path
        from app import views

        urlpatterns = [path("notes/", views.notes), path("entries/", views.entries), path("drafts/", views.drafts)]
    '''
    root = make_repo(tmp_path, {"requirements.txt": "django\n", "app/__init__.py": "", "app/models.py": models,
                                "app/views.py": views, "app/urls.py": urls})
    assert [f for f in findings(root) if f[0] == "AL409"] == [("AL409", "app/views.py", 11)]
