"""Flask REST extensions agents reach for when asked for "a REST API with Swagger": flask-restx,
flask-restful and flask-smorest.  Their Api / Namespace / Blueprint register Flask routes on
``Resource`` / ``MethodView`` classes, and their marshalling (a field map applied by
``@ns.marshal_list_with`` / ``marshal(rows, fields)``, a marshmallow schema applied by
``@blp.response(200, Schema(many=True))``) reads every field of every row — a lazy relation there is
an N+1.  The restx Conduit is ``fixtures/agent-flask-restx-*``; these are the other two."""

from __future__ import annotations

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, run_verify
from helpers import make_repo, report

MODELS = '''
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()


    class User(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        username = db.Column(db.String(80))


    class Article(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        slug = db.Column(db.String(80))
        author_id = db.Column(db.Integer, db.ForeignKey("user.id"))
        author = db.relationship("User")
'''


def _lines(root, relative: str, needle: str) -> list[int]:
    return [n for n, line in enumerate((root / relative).read_text().splitlines(), 1) if needle in line]


def test_flask_restful_resources_are_routes_and_marshal_with_a_plain_dict_reads_each_row(tmp_path):
    root = make_repo(tmp_path, {"requirements.txt": "flask\nflask-restful\nflask-sqlalchemy\n", "app/__init__.py": "",
                                "app/models.py": MODELS, "app/resources.py": '''
        from flask import Flask
        from flask_restful import Api, Resource, fields, marshal_with
        from sqlalchemy.orm import joinedload

        from app.models import Article, db

        article_fields = {
            "slug": fields.String,
            "author": fields.String(attribute="author.username"),
        }


        class ArticleList(Resource):
            @marshal_with(article_fields)
            def get(self):
                return Article.query.order_by(Article.id).all(), 200


        class EagerArticleList(Resource):
            @marshal_with(article_fields)
            def get(self):
                return Article.query.options(joinedload(Article.author)).order_by(Article.id).all()


        class ArticleItem(Resource):
            @marshal_with(article_fields)
            def get(self, slug):
                return Article.query.filter_by(slug=slug).first_or_404()


        app = Flask(__name__)
        db.init_app(app)
        api = Api(app)
        api.add_resource(ArticleList, "/articles")
        api.add_resource(EagerArticleList, "/articles/eager")
        api.add_resource(ArticleItem, "/articles/<slug>")
    '''})
    result = report(root)
    found = [(f.rule, f.line) for f in result.findings if f.rule in ("AL601", "AL603")]
    assert found == [("AL603", _lines(root, "app/resources.py", "@marshal_with")[0])]
    routes = sorted((r.method, r.path) for r in result.context.program.routes())
    assert routes == [("GET", "/articles"), ("GET", "/articles/<slug>"), ("GET", "/articles/eager")]


def test_flask_smorest_response_schemas_and_method_views(tmp_path):
    root = make_repo(tmp_path, {"requirements.txt": "flask\nflask-smorest\nflask-sqlalchemy\n", "app/__init__.py": '''
        from flask import Flask
        from flask_smorest import Api

        from app.models import db
        from app.views import blp


        def create_app():
            app = Flask(__name__)
            db.init_app(app)
            Api(app).register_blueprint(blp)
            with app.app_context():
                db.create_all()
            return app
    ''', "app/models.py": MODELS, "app/views.py": '''
        from flask.views import MethodView
        from flask_smorest import Blueprint
        from marshmallow import Schema, fields
        from sqlalchemy.orm import joinedload

        from app.models import Article

        blp = Blueprint("articles", __name__, url_prefix="/api/articles")


        class ProfileSchema(Schema):
            username = fields.String()


        class ArticleSchema(Schema):
            slug = fields.String()
            author = fields.Nested(ProfileSchema)


        @blp.route("/")
        class Articles(MethodView):
            @blp.response(200, ArticleSchema(many=True))
            def get(self):
                return Article.query.order_by(Article.id).all()


        @blp.route("/eager")
        class EagerArticles(MethodView):
            @blp.response(200, ArticleSchema(many=True))
            def get(self):
                return Article.query.options(joinedload(Article.author)).order_by(Article.id).all()


        @blp.route("/<slug>")
        class ArticleItem(MethodView):
            @blp.response(200, ArticleSchema)
            def get(self, slug):
                return Article.query.filter_by(slug=slug).first_or_404()
    '''})
    result = report(root)
    found = [(f.rule, f.line) for f in result.findings if f.rule in ("AL601", "AL603")]
    assert found == [("AL603", _lines(root, "app/views.py", "@blp.response(200, ArticleSchema(many=True))")[0])]
    routes = sorted((r.method, r.path) for r in result.context.program.routes() if r.method != "USE")
    assert routes == [("GET", "/api/articles"), ("GET", "/api/articles/<slug>"), ("GET", "/api/articles/eager")]
    verified = run_verify(str(root), Constraints(framework="flask", orm="sqlalchemy"), options=Options(use_cache=False))
    assert [(v.constraint, v.compliant) for v in verified.verdicts] == [("framework", True), ("orm", True)]


def test_the_restx_conduit_passes_verify_its_routes_are_namespace_resources():
    """Before flask-restx's ``Namespace`` counted as a Flask router, this app (a Flask app whose every
    route is an ``@ns.route`` Resource) failed the framework verdict with "no route is registered"."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "fixtures" / "agent-flask-restx-correct"
    verified = run_verify(str(root), Constraints(framework="flask", orm="sqlalchemy", database="sqlite"), options=Options(use_cache=False))
    assert [(v.constraint, v.compliant) for v in verified.verdicts] == [("framework", True), ("database", True), ("orm", True)]
    framework = verified.verdicts[0]
    assert "4 route registration(s)" in framework.reason
