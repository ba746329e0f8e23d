"""AL310 check-then-insert race and the pieces it stands on: which tests say "the row exists",
which handlers handle a unique violation, which attribute sets the ORM schema declares unique, and
app-wide error handlers — each positive next to the look-alike that must stay silent."""

from __future__ import annotations

import pytest
import tree_sitter as ts
import tree_sitter_python as tsp
from helpers import make_repo, report, sqlalchemy_db_module

from archlint.adapters.frontends.python_ir import lower
from archlint.domain import ir
from archlint.adapters import knowledge
from archlint.semantics.interpreter import _known, handles_unique_violation, lookup_polarity
from archlint.semantics.tables import prisma_models


_PARSER = ts.Parser(ts.Language(tsp.language()))


def lower_python(source: str) -> ir.ModuleIR:
    data = source.encode()
    return lower(_PARSER.parse(data).root_node, data, "app/m.py")


def _test_of(source: str):
    module = lower_python(source)
    return next(node.test for node in ir.iter_nodes(module.functions[1].body) if type(node) is ir.If)


def _handler_of(source: str):
    module = lower_python(source)
    return next(node.handlers[0] for node in ir.iter_nodes(module.functions[1].body) if type(node) is ir.Try)


def test_polarity_of_existence_tests():
    found = {
        "if existing: pass": True,
        "if User.objects.filter(email=e).exists(): pass": True,
        "if user is not None: pass": True,
        "if count > 0: pass": True,
        "if a or b: pass": True,
        "if not user: pass": False,
        "if user is None: pass": False,
        "if count == 0: pass": False,
        "if user.role == 'admin': pass": None,
        "if user.is_active: pass": None,
        "if a or not b: pass": None,
    }
    for test, expected in found.items():
        source = f"def f(existing, user, count, a, b, e):\n    {test}\n"
        assert lookup_polarity(_test_of(source)) is expected, test


_NAMES = _known(knowledge.load_knowledge().names["interpreter"])  # the names rules/knowledge gives the interpreter


def test_handlers_of_unique_violations():
    def handler(clause: str, body: str = "pass") -> bool:
        source = f"def f():\n    try:\n        x()\n    {clause}:\n        {body}\n"
        return handles_unique_violation(_handler_of(source), _NAMES)

    assert handler("except IntegrityError")
    assert handler("except sqlalchemy.exc.IntegrityError")
    assert handler("except (ValueError, IntegrityError)")
    assert handler("except Exception", "return {'error': 'taken'}, 409")
    assert handler("except Exception as e", "if e.code == 'P2002': return None")
    assert not handler("except ValueError", "return 409")  # names another error: the violation passes through
    assert not handler("except Exception", "raise")  # re-raised: still a 500
    assert not handler("except Exception", "log(500)")


def test_prisma_unique_fields():
    models = {m.name: m for m in prisma_models('''
        model User {
          id    Int    @id @default(autoincrement())
          email String @unique
          name  String
        }
        model Follow {
          followerId  Int
          followingId Int
          @@unique([followerId, followingId])
        }
    ''')}
    assert set(models["User"].unique) == {("id",), ("email",)}
    assert set(models["Follow"].unique) == {("followerId", "followingId")}


FLASK_APP = {
    "requirements.txt": "flask\nflask-sqlalchemy\n",
    "app/__init__.py": "",
    "app/db.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "app/models.py": '''
        from app.db import db

        class Follow(db.Model):
            __table_args__ = (db.UniqueConstraint("follower_id", "followed_id"),)
            id = db.Column(db.Integer, primary_key=True)
            follower_id = db.Column(db.Integer, nullable=False)
            followed_id = db.Column(db.Integer, nullable=False)
    ''',
    "app/routes.py": '''
        from flask import Blueprint, request
        from app.db import db
        from app.models import Follow

        bp = Blueprint("follows", __name__)

        @bp.route("/follows", methods=["POST"])
        def follow():
            data = request.get_json()
            if Follow.query.filter_by(follower_id=data["me"], followed_id=data["them"]).first():
                return {"error": "already following"}, 409
            db.session.add(Follow(follower_id=data["me"], followed_id=data["them"]))
            db.session.commit()
            return {"ok": True}, 201
    ''',
}


def test_composite_unique_constraint_names_the_500(tmp_path):
    root = make_repo(tmp_path, FLASK_APP)
    findings = [f for f in report(root).findings if f.rule == "AL310"]
    assert [(f.path, f.line) for f in findings] == [("app/routes.py", 12)]
    assert "declares `followed_id`, `follower_id` unique" in findings[0].message
    assert "IntegrityError" in findings[0].message


def test_app_wide_integrity_error_handler_silences_a_unique_column(tmp_path):
    files = dict(FLASK_APP)
    files["app/errors.py"] = '''
        from sqlalchemy.exc import IntegrityError
        from app.routes import bp

        @bp.app_errorhandler(IntegrityError)
        def conflict(error):
            return {"error": "already exists"}, 409
    '''
    root = make_repo(tmp_path, files)
    assert [f for f in report(root).findings if f.rule == "AL310"] == []


# The app-wide handlers AL310 reads are the ones the program records once (Program.exception_handlers()):
# a registration call, a catch-all whose body tells the unique violation apart, psycopg's UniqueViolation
# (`unique_errors` of orms.toml) -- and a status-code handler, which answers no unique violation.
APP_WIDE_HANDLERS = {
    "register_error_handler": ('''
        from flask import Flask
        from sqlalchemy.exc import IntegrityError

        def conflict(error):
            return {"error": "already exists"}, 409

        def install(app: Flask):
            app.register_error_handler(IntegrityError, conflict)
    ''', []),
    "catch_all_telling_23505_apart": ('''
        from app.routes import bp

        @bp.app_errorhandler(Exception)
        def failed(error):
            if getattr(getattr(error, "orig", None), "pgcode", None) == "23505":
                return {"error": "already exists"}, 409
            return {"error": "internal"}, 500
    ''', []),
    "psycopg_unique_violation": ('''
        from psycopg2.errors import UniqueViolation
        from app.routes import bp

        @bp.app_errorhandler(UniqueViolation)
        def conflict(error):
            return {"error": "already exists"}, 409
    ''', []),
    "status_code_only": ('''
        from app.routes import bp

        @bp.app_errorhandler(404)
        def not_found(error):
            return {"error": "not found"}, 404
    ''', [("app/routes.py", 12)]),
}


@pytest.mark.parametrize("name", sorted(APP_WIDE_HANDLERS))
def test_app_wide_handlers_read_from_the_program_record(tmp_path, name):
    files = dict(FLASK_APP)
    files["app/errors.py"], expected = APP_WIDE_HANDLERS[name]
    root = make_repo(tmp_path, files)
    assert [(f.path, f.line) for f in report(root).findings if f.rule == "AL310"] == expected


DJANGO_APP = {
    "requirements.txt": "django\ndjangorestframework\n",
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conduit.settings')\n",
    "conduit/__init__.py": "",
    "conduit/settings.py": '''
        INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "accounts"]
        ROOT_URLCONF = "conduit.urls"
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
    ''',
    "conduit/urls.py": '''
        from django.urls import include, path

        urlpatterns = [path("api/", include("accounts.urls"))]
    ''',
    "accounts/__init__.py": "",
    "accounts/models.py": '''
        from django.db import models

        class Profile(models.Model):
            email = models.EmailField(unique=True)
    ''',
    "accounts/urls.py": '''
        from django.urls import path
        from accounts import views

        urlpatterns = [path("profiles/", views.create_profile)]
    ''',
    "accounts/views.py": '''
        from rest_framework.decorators import api_view
        from rest_framework.response import Response
        from accounts.models import Profile

        @api_view(["POST"])
        def create_profile(request):
            email = request.data.get("email")
            if Profile.objects.filter(email=email).exists():
                return Response({"errors": {"email": ["taken"]}}, status=409)
            profile = Profile.objects.create(email=email)
            return Response({"id": profile.id}, status=201)
    ''',
}


def test_django_check_then_create_outside_a_transaction(tmp_path):
    root = make_repo(tmp_path, DJANGO_APP)
    findings = [f for f in report(root).findings if f.rule == "AL310"]
    assert [(f.path, f.line) for f in findings] == [("accounts/views.py", 10)]
    assert "outside any transaction" in findings[0].message


def test_django_atomic_requests_puts_the_check_and_the_insert_in_one_transaction(tmp_path):
    files = dict(DJANGO_APP)
    files["conduit/settings.py"] = files["conduit/settings.py"].replace(
        '"NAME": "db.sqlite3"}', '"NAME": "db.sqlite3", "ATOMIC_REQUESTS": True}')
    assert "ATOMIC_REQUESTS" in files["conduit/settings.py"]
    root = make_repo(tmp_path, files)
    assert [f for f in report(root).findings if f.rule == "AL310"] == []


KNEX_APP = {
    "package.json": '{"name": "k", "dependencies": {"express": "^4.18.2", "knex": "^3.1.0", "pg": "^8.11.3"}}',
    "src/db.js": "const knex = require('knex');\n\nmodule.exports = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n",
    "src/server.js": '''
        const express = require('express');
        const db = require('./db');

        const app = express();
        app.use(express.json());

        app.post('/api/users', async (req, res, next) => {
          try {
            const { email, username } = req.body.user;
            if (await db('users').where({ email }).first()) {
              return res.status(422).json({ errors: { email: ['has already been taken'] } });
            }
            await db('users').insert({ email, username });
            return res.status(201).json({ user: { email, username } });
          } catch (err) {
            return next(err);
          }
        });
        ERROR_HANDLER
        app.listen(3000);
    ''',
}


def _knex_app(handler: str) -> dict:
    files = dict(KNEX_APP)
    files["src/server.js"] = files["src/server.js"].replace("ERROR_HANDLER", handler)
    return files


def test_knex_check_then_insert_gives_both_outcomes(tmp_path):
    root = make_repo(tmp_path, _knex_app(""))
    findings = [f for f in report(root).findings if f.rule == "AL310"]
    assert [(f.path, f.line) for f in findings] == [("src/server.js", 13)]
    assert "with a unique index on `email`" in findings[0].message and "duplicates" in findings[0].message


def test_express_error_middleware_answering_23505_silences_knex(tmp_path):
    handler = '''
        app.use((err, req, res, next) => {
          if (err.code === '23505') return res.status(409).json({ errors: { body: ['already exists'] } });
          return res.status(500).json({ errors: { body: [err.message] } });
        });
    '''
    root = make_repo(tmp_path, _knex_app(handler))
    assert [f for f in report(root).findings if f.rule == "AL310"] == []


def test_error_middleware_that_does_not_tell_the_violation_apart_keeps_the_finding(tmp_path):
    handler = '''
        app.use((err, req, res, next) => res.status(500).json({ errors: { body: [err.message] } }));
    '''
    root = make_repo(tmp_path, _knex_app(handler))
    assert [f.line for f in report(root).findings if f.rule == "AL310"] == [13]


@pytest.mark.parametrize("register", ["app.use(errorHandler);", "app.use(require('./errors'));", "app.use([errorHandler]);"])
def test_express_error_middleware_in_a_plain_file_is_read(tmp_path, register):
    # errors.js imports no database module (no data-layer signal): the record still holds its handler
    files = _knex_app(register)
    files["src/server.js"] = "const errorHandler = require('./errors');\n" + files["src/server.js"]
    files["src/errors.js"] = """
        module.exports = function errorHandler(err, req, res, next) {
          if (err.code === '23505') return res.status(409).json({ errors: { body: ['already exists'] } });
          return res.status(500).json({ errors: { body: [err.message] } });
        };
    """
    result = report(make_repo(tmp_path, files))
    handlers = [(h.kind, h.scope, h.path) for h in result.context.program.exception_handlers()]
    assert ("middleware", "express", "src/errors.js") in handlers
    assert [f for f in result.findings if f.rule == "AL310"] == []


FASTIFY_KNEX_APP = {
    "package.json": '{"name": "f", "dependencies": {"fastify": "^4.26.0", "knex": "^3.1.0", "pg": "^8.11.3"}}',
    "src/db.js": "const knex = require('knex');\n\nmodule.exports = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n",
    "src/server.js": '''
        const fastify = require('fastify');
        const db = require('./db');
        IMPORT
        const app = fastify();

        app.post('/api/users', async (request, reply) => {
          const { email, username } = request.body.user;
          if (await db('users').where({ email }).first()) {
            return reply.code(422).send({ errors: { email: ['has already been taken'] } });
          }
          await db('users').insert({ email, username });
          return reply.code(201).send({ user: { email, username } });
        });
        REGISTER
        app.listen({ port: 3000 });
    ''',
}

_TELLS_23505_APART = """
        if (error.code === '23505') return reply.code(409).send({ errors: { body: ['already exists'] } });
        return reply.code(500).send({ errors: { body: [error.message] } });
"""


@pytest.mark.parametrize("imported", [False, True])
def test_fastify_set_error_handler_answering_23505_silences_knex(tmp_path, imported):
    files = dict(FASTIFY_KNEX_APP)
    if imported:  # the handler in its own module, a file with no data-layer signal
        files["src/errors.js"] = "function onError(error, request, reply) {" + _TELLS_23505_APART + "}\nmodule.exports = { onError };\n"
        register, imports = "app.setErrorHandler(onError);", "const { onError } = require('./errors');"
    else:
        register, imports = "app.setErrorHandler((error, request, reply) => {" + _TELLS_23505_APART + "});", ""
    files["src/server.js"] = files["src/server.js"].replace("REGISTER", register).replace("IMPORT", imports)
    result = report(make_repo(tmp_path, files))
    assert [h.scope for h in result.context.program.exception_handlers()] == ["fastify"]
    assert [f for f in result.findings if f.rule == "AL310"] == []


def test_a_four_parameter_function_express_never_registers_is_no_error_handler(tmp_path):
    handler = '''
        function merge(err, req, res, next) {
          if (err.code === '23505') return 409;
          return 500;
        }
    '''
    result = report(make_repo(tmp_path, _knex_app(handler)))
    assert result.context.program.exception_handlers() == ()
    assert [f.line for f in result.findings if f.rule == "AL310"] == [13]


def test_fastify_generic_error_handler_keeps_the_finding(tmp_path):
    files = dict(FASTIFY_KNEX_APP)
    files["src/server.js"] = files["src/server.js"].replace("IMPORT", "").replace(
        "REGISTER", "app.setErrorHandler((error, request, reply) => reply.code(500).send({ errors: { body: [error.message] } }));")
    result = report(make_repo(tmp_path, files))
    assert [h.scope for h in result.context.program.exception_handlers()] == ["fastify"]  # recorded, answers nothing
    assert [f.line for f in result.findings if f.rule == "AL310"] == [11]


def test_js_handlers_in_the_record_scoped_by_framework(tmp_path):
    files = {
        "package.json": '{"name": "k", "dependencies": {"koa": "^2.15.0", "hono": "^4.0.0", "@nestjs/common": "^10.0.0"}}',
        "src/koa.js": """
            module.exports = async (ctx, next) => {
              try {
                await next();
              } catch (err) {
                ctx.status = err.status || 500;
                ctx.body = { errors: { body: [err.message] } };
              }
            };
            const logger = async (ctx, next) => {
              try { await next(); } catch (err) { console.error(err); throw err; }
            };
        """,
        "src/hono.js": """
            import { Hono } from 'hono';

            const app = new Hono();
            app.use('*', async (c, next) => {
              try { await next(); } catch (err) { return c.json({ errors: { body: [err.message] } }, 500); }
            });
            app.onError((err, c) => c.json({ errors: { body: [err.message] } }, 500));
        """,
        "src/filter.ts": """
            import { Catch } from '@nestjs/common';
            import { Prisma } from '@prisma/client';

            @Catch(Prisma.PrismaClientKnownRequestError)
            export class PrismaFilter {
              catch(exception, host) { return null; }
            }
        """,
    }
    program = report(make_repo(tmp_path, files)).context.program
    assert [(h.kind, h.scope, h.path, h.exceptions, h.views) for h in program.exception_handlers()] == [
        ("registration", "hono", "src/hono.js", ("*",), ()),
        ("middleware", "koa", "src/koa.js", ("*",), ()),  # the logger re-throws: no handler
        # applied nowhere the record sees (nestjs-style global registration elsewhere): taken as app-wide
        ("registration", "nestjs", "src/filter.ts", ("PrismaClientKnownRequestError",), ()),
    ]


def test_a_quota_check_is_not_a_duplicate_check(tmp_path):
    """`filter(author=…, created__gte=today).exists()` then create: a rate limit, not a lookup of the
    same value — only equality lookups (`email=`, `email__iexact=`, `User.email == e`) are judged."""
    files = dict(DJANGO_APP)
    files["accounts/models.py"] = '''
        from django.db import models

        class Profile(models.Model):
            email = models.EmailField()
            created = models.DateTimeField(auto_now_add=True)
    '''
    quota = files["accounts/views.py"].replace(
        "Profile.objects.filter(email=email).exists()", "Profile.objects.filter(email=email, created__gte=request.data['since']).exists()")
    assert quota != files["accounts/views.py"]
    exact = files["accounts/views.py"].replace("filter(email=email)", "filter(email__iexact=email)")
    assert [f.line for f in report(make_repo(tmp_path / "exact", {**files, "accounts/views.py": exact})).findings if f.rule == "AL310"] == [10]
    assert [f for f in report(make_repo(tmp_path / "quota", {**files, "accounts/views.py": quota})).findings if f.rule == "AL310"] == []


def test_a_range_comparison_in_sqlalchemy_is_not_a_duplicate_check(tmp_path):
    files = dict(FLASK_APP)
    files["app/routes.py"] = files["app/routes.py"].replace(
        'Follow.query.filter_by(follower_id=data["me"], followed_id=data["them"]).first()',
        'Follow.query.filter(Follow.follower_id == data["me"], Follow.id > data["after"]).first()')
    assert "Follow.id > " in files["app/routes.py"]
    assert [f for f in report(make_repo(tmp_path, files)).findings if f.rule == "AL310"] == []


HELPER_APP = {
    "requirements.txt": "fastapi\nsqlalchemy\npydantic\n",
    "app/__init__.py": "",
    "app/db.py": sqlalchemy_db_module('''
        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
            email: Mapped[str] = mapped_column(String, unique=True)
            name: Mapped[str]
    '''),
    "app/validators.py": '''
        from fastapi import HTTPException
        from app.db import User

        def ensure_unique_email(db, email):
            if db.query(User).filter_by(email=email).first():
                raise HTTPException(status_code=409, detail="Email already registered")

        def ensure_user_exists(db, user_id):
            user = db.query(User).filter_by(id=user_id).first()
            if user is None:
                raise HTTPException(status_code=404, detail="User not found")
            return user

        def ensure_name_quota(db, name):
            if db.query(User).filter(User.name >= name).first():
                raise HTTPException(status_code=429)
    ''',
    "app/main.py": '''
        from fastapi import Depends, FastAPI, HTTPException
        from pydantic import BaseModel
        from sqlalchemy.exc import IntegrityError
        from sqlalchemy.orm import Session
        from app.db import User, get_db
        from app.validators import ensure_name_quota, ensure_unique_email, ensure_user_exists

        app = FastAPI()

        class UserIn(BaseModel):
            email: str
            name: str

        @app.post("/users")
        def create_user(body: UserIn, db: Session = Depends(get_db)):
            ensure_unique_email(db, body.email)
            user = User(email=body.email, name=body.name)
            db.add(user)
            db.commit()
            return {"id": user.id}

        @app.post("/users/caught")
        def create_user_caught(body: UserIn, db: Session = Depends(get_db)):
            ensure_unique_email(db, body.email)
            try:
                db.add(User(email=body.email, name=body.name))
                db.commit()
            except IntegrityError:
                db.rollback()
                raise HTTPException(status_code=409)
            return {}

        @app.post("/users/atomic")
        def create_user_atomic(body: UserIn, db: Session = Depends(get_db)):
            with db.begin():
                ensure_unique_email(db, body.email)
                db.add(User(email=body.email, name=body.name))
            return {}

        @app.post("/users/{user_id}/copy")
        def copy_user(user_id: int, body: UserIn, db: Session = Depends(get_db)):
            ensure_user_exists(db, user_id)
            db.add(User(email=body.email, name=body.name))
            db.commit()
            return {}

        @app.post("/users/quota")
        def create_user_quota(body: UserIn, db: Session = Depends(get_db)):
            ensure_name_quota(db, body.name)
            db.add(User(email=body.email, name=body.name))
            db.commit()
            return {}
    ''',
}


def test_a_uniqueness_check_in_a_raising_helper_then_an_insert(tmp_path):
    """``ensure_unique_email(db, email)`` raises 409 when the row exists; the route then inserts: the
    same race as the inline check, reported at the insert with the helper's lookup in the trace.  The
    insert under ``except IntegrityError``, one ``db.begin()`` around both, a helper that raises when
    the row is *missing*, and a range comparison stay silent."""
    root = make_repo(tmp_path, HELPER_APP)
    findings = [f for f in report(root).findings if f.rule == "AL310"]
    assert [(f.path, f.line) for f in findings] == [("app/main.py", 18)]
    assert ("app/validators.py", 5) in [(step.path, step.line) for step in findings[0].trace]
    assert "declares `email` unique" in findings[0].message


def test_a_raising_helper_in_a_node_service_before_create(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "4", "sequelize": "6"}}',
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize(process.env.DATABASE_URL);
            const User = sequelize.define('User', { email: { type: DataTypes.STRING, unique: true }, name: DataTypes.STRING });
            module.exports = { sequelize, User };
        ''',
        "src/users.service.js": '''
            const { User } = require('./models');

            class ConflictError extends Error {}

            async function assertEmailAvailable(email) {
              const existing = await User.findOne({ where: { email } });
              if (existing) {
                throw new ConflictError('Email already in use');
              }
            }

            async function register({ email, name }) {
              await assertEmailAvailable(email);
              return User.create({ email, name });
            }

            async function registerSafely({ email, name }) {
              await assertEmailAvailable(email);
              try {
                return await User.create({ email, name });
              } catch (err) {
                if (err.name === 'SequelizeUniqueConstraintError') throw new ConflictError('Email already in use');
                throw err;
              }
            }

            module.exports = { register, registerSafely };
        ''',
        "src/routes.js": '''
            const express = require('express');
            const service = require('./users.service');
            const router = express.Router();

            router.post('/users', async (req, res) => {
              const user = await service.register(req.body);
              res.status(201).json(user);
            });

            router.post('/users/safe', async (req, res) => {
              const user = await service.registerSafely(req.body);
              res.status(201).json(user);
            });

            module.exports = router;
        ''',
    })
    findings = [f for f in report(root).findings if f.rule == "AL310"]
    assert [(f.path, f.line) for f in findings] == [("src/users.service.js", 14)]


def _django_meta_app(meta: str) -> dict:
    files = dict(DJANGO_APP)
    files["accounts/models.py"] = '''
        from django.db import models

        class Profile(models.Model):
            email = models.EmailField()
            team = models.CharField(max_length=40)
''' + meta
    files["accounts/views.py"] = '''
        from rest_framework.decorators import api_view
        from rest_framework.response import Response
        from accounts.models import Profile

        @api_view(["POST"])
        def create_profile(request):
            email, team = request.data.get("email"), request.data.get("team")
            if Profile.objects.filter(email=email, team=team).exists():
                return Response({"errors": {"email": ["taken"]}}, status=409)
            profile = Profile.objects.create(email=email, team=team)
            return Response({"id": profile.id}, status=201)
    '''
    return files


@pytest.mark.parametrize("meta", [
    '''
            class Meta:
                unique_together = ("email", "team")
''',
    '''
            class Meta:
                unique_together = [("email", "team")]
''',
    '''
            class Meta:
                constraints = [models.UniqueConstraint(fields=["email", "team"], name="one_email_per_team")]
''',
])
def test_django_meta_unique_sets_name_the_500(tmp_path, meta):
    findings = [f for f in report(make_repo(tmp_path, _django_meta_app(meta))).findings if f.rule == "AL310"]
    assert [(f.path, f.line) for f in findings] == [("accounts/views.py", 10)]
    assert "declares `email`, `team` unique" in findings[0].message
    assert "IntegrityError" in findings[0].message


@pytest.mark.parametrize("meta", [
    "",
    '''
            class Meta:
                ordering = ["email"]
''',
    '''
            class Meta:
                constraints = [models.UniqueConstraint(fields=["email", "team"], condition=models.Q(active=True), name="x")]
''',
])
def test_django_meta_without_a_full_unique_set_gives_duplicates(tmp_path, meta):
    findings = [f for f in report(make_repo(tmp_path, _django_meta_app(meta))).findings if f.rule == "AL310"]
    assert [(f.path, f.line) for f in findings] == [("accounts/views.py", 10)]
    assert "no unique constraint" in findings[0].message
