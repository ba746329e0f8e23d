"""AL206 for Flask-SQLAlchemy: ``db.session`` is one scoped session per request, removed — and
rolled back — when the request ends, so a route whose request writes through it and never commits
loses the write.  The look-alikes are how real Flask apps commit: a CRUD mixin's ``save()``, a
``with db.session.begin()`` block, a teardown hook, Flask-SQLAlchemy 2's commit-on-teardown, a
unit of work the model cannot see into."""

from __future__ import annotations

from helpers import make_repo, report

APP = {
    "requirements.txt": "flask\nflask-sqlalchemy\n",
    "app/__init__.py": """
        from flask import Flask

        from app.extensions import db


        def create_app():
            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///conduit.db"
            db.init_app(app)
            from app.views import bp

            app.register_blueprint(bp, url_prefix="/api")
            with app.app_context():
                db.create_all()
            return app
    """,
    "app/extensions.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()
    """,
    "app/models.py": """
        from app.extensions import db


        class CRUDMixin:
            def save(self, commit=True):
                db.session.add(self)
                if commit:
                    db.session.commit()
                return self


        class Comment(CRUDMixin, db.Model):
            __tablename__ = "comments"
            id = db.Column(db.Integer, primary_key=True)
            body = db.Column(db.Text, nullable=False)
            article_id = db.Column(db.Integer, nullable=False)
    """,
    "app/services.py": """
        from app.extensions import db
        from app.models import Comment


        def add_comment(article_id, body):
            comment = Comment(body=body, article_id=article_id)
            db.session.add(comment)
            return comment


        def add_and_commit(article_id, body):
            comment = Comment(body=body, article_id=article_id)
            db.session.add(comment)
            db.session.commit()
            return comment
    """,
}

VIEWS = """
    from flask import Blueprint, jsonify, request

    from app import services
    from app.extensions import db
    from app.models import Comment

    bp = Blueprint("comments", __name__)


    @bp.post("/articles/<int:article_id>/comments")
    def create_comment(article_id):
        comment = services.add_comment(article_id, request.json["body"])
        return jsonify({"id": comment.id}), 201


    @bp.post("/articles/<int:article_id>/comments/committed")
    def create_committed(article_id):
        comment = services.add_and_commit(article_id, request.json["body"])
        return jsonify({"id": comment.id}), 201


    @bp.post("/articles/<int:article_id>/comments/saved")
    def create_saved(article_id):
        comment = Comment(body=request.json["body"], article_id=article_id).save()
        return jsonify({"id": comment.id}), 201


    @bp.post("/articles/<int:article_id>/comments/in-block")
    def create_in_block(article_id):
        with db.session.begin():
            db.session.add(Comment(body=request.json["body"], article_id=article_id))
        return "", 201


    @bp.post("/articles/<int:article_id>/comments/late")
    def create_then_commit(article_id):
        comment = services.add_comment(article_id, request.json["body"])
        db.session.commit()
        return jsonify({"id": comment.id}), 201
"""


def _al206(tmp_path, files):
    root = make_repo(tmp_path, files)
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == "AL206")


def test_a_route_whose_request_writes_and_never_commits_loses_the_write(tmp_path):
    assert _al206(tmp_path, {**APP, "app/views.py": VIEWS}) == [("app/services.py", 7)]


def test_a_teardown_hook_that_commits_commits_every_request(tmp_path):
    hook = VIEWS + """

    @bp.teardown_app_request
    def commit_session(exc):
        if exc is None:
            db.session.commit()
"""
    assert _al206(tmp_path, {**APP, "app/views.py": hook}) == []


def test_commit_on_teardown_configured_commits_every_request(tmp_path):
    config = dict(APP)
    config["app/config.py"] = """
        class Config:
            SQLALCHEMY_DATABASE_URI = "sqlite:///conduit.db"
            SQLALCHEMY_COMMIT_ON_TEARDOWN = True
    """
    assert _al206(tmp_path, {**config, "app/views.py": VIEWS}) == []


def test_a_commit_the_model_cannot_follow_is_not_proof_of_a_lost_write(tmp_path):
    views = VIEWS.replace(
        '        comment = services.add_comment(article_id, request.json["body"])\n        return jsonify({"id": comment.id}), 201\n',
        '        comment = services.add_comment(article_id, request.json["body"])\n        request.environ["uow"].commit()\n'
        '        return jsonify({"id": comment.id}), 201\n',
        1,
    )
    assert views != VIEWS
    assert _al206(tmp_path, {**APP, "app/views.py": views}) == []


DYNAMIC = {
    "requirements.txt": "flask\nflask-sqlalchemy\n",
    "app/extensions.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()
    """,
    "app/models.py": """
        from app.extensions import db


        class User(db.Model):
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
            username = db.Column(db.String(80), nullable=False)


        class Comment(db.Model):
            __tablename__ = "comments"
            id = db.Column(db.Integer, primary_key=True)
            body = db.Column(db.Text, nullable=False)
            article_id = db.Column(db.Integer, db.ForeignKey("articles.id"), nullable=False)
            author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
            author = db.relationship("User")

            def to_dict(self):
                return {"id": self.id, "body": self.body, "author": self.author.username}


        class Article(db.Model):
            __tablename__ = "articles"
            id = db.Column(db.Integer, primary_key=True)
            slug = db.Column(db.String(255), unique=True, nullable=False)
            comments = db.relationship("Comment", backref="article", lazy="dynamic")
    """,
    "app/views.py": """
        from flask import Blueprint, jsonify

        from app.models import Article

        bp = Blueprint("articles", __name__)


        @bp.get("/articles/<slug>/comments")
        def comments(slug):
            article = Article.query.filter_by(slug=slug).first_or_404()
            return jsonify({"comments": [c.to_dict() for c in article.comments.order_by("id").all()]})


        @bp.get("/articles/<slug>/comment-count")
        def comment_count(slug):
            article = Article.query.filter_by(slug=slug).first_or_404()
            return jsonify({"count": article.comments.count()})


        @bp.get("/articles")
        def articles():
            return jsonify([{"slug": a.slug, "comments": a.comments.count()} for a in Article.query.order_by(Article.id).limit(20).all()])
    """,
}


def test_a_dynamic_relationship_is_a_query_each_use_runs(tmp_path):
    """``lazy="dynamic"``: ``article.comments`` is a query.  Its rows' lazy relations load per row
    (AL603), and counting it per article of a list is a query per article (AL601); counting it
    once is one query."""
    root = make_repo(tmp_path, DYNAMIC)
    found = sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule in ("AL601", "AL603"))
    assert found == [("AL601", "app/views.py", 22), ("AL603", "app/views.py", 11)]


def test_a_method_view_serves_its_methods_and_is_judged_like_a_function_route(tmp_path):
    """``bp.add_url_rule(…, view_func=CommentsView.as_view("comments"))``: the route serves the
    methods the class defines, and each of them is a request handler."""
    views = """
        from flask import Blueprint, jsonify, request
        from flask.views import MethodView

        from app.extensions import db
        from app.models import Comment

        bp = Blueprint("comments", __name__)


        class CommentsView(MethodView):
            def get(self, article_id):
                return jsonify([c.id for c in Comment.query.filter_by(article_id=article_id).all()])

            def post(self, article_id):
                db.session.add(Comment(body=request.json["body"], article_id=article_id))
                return "", 201


        class SavedCommentsView(MethodView):
            def post(self, article_id):
                Comment(body=request.json["body"], article_id=article_id).save()
                return "", 201


        bp.add_url_rule("/articles/<int:article_id>/comments", view_func=CommentsView.as_view("comments"))
        bp.add_url_rule("/articles/<int:article_id>/saved", view_func=SavedCommentsView.as_view("saved"))
    """
    root = make_repo(tmp_path, {**APP, "app/views.py": views})
    result = report(root)
    routes = sorted((route.method, route.path) for route in result.context.program.routes() if route.handler is not None)
    assert routes == [("GET,POST", "/api/articles/<int:article_id>/comments"), ("POST", "/api/articles/<int:article_id>/saved")]
    assert sorted((f.path, f.line) for f in result.findings if f.rule == "AL206") == [("app/views.py", 15)]


def test_a_hook_registered_by_a_call_commits_every_request(tmp_path):
    app = dict(APP)
    app["app/__init__.py"] = APP["app/__init__.py"].replace(
        "            db.init_app(app)\n",
        "            db.init_app(app)\n            app.teardown_request(commit_or_rollback)\n",
    ) + """

        def commit_or_rollback(exc):
            if exc is None:
                db.session.commit()
            else:
                db.session.rollback()
    """
    assert app["app/__init__.py"] != APP["app/__init__.py"]
    assert _al206(tmp_path, {**app, "app/views.py": VIEWS}) == []
