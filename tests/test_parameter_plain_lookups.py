"""AL220 on a lookup keyed by a parameter itself: ``User.findByPk(userId)`` in ``profileOf(userId)``.
The function cannot tell on its own whether the id is a stored key (``article.authorId`` of a row the
program read: the user exists) or the client's (``req.params.id``: it may not), so the callers decide —
but only when the call graph knows every one of them (``semantics/callers.py``): an exported function no
project code calls, one passed as a value, or a call through a receiver the model could not type keeps
the read reported where it is."""

from __future__ import annotations

from tests.helpers import OPEN_WEBUI_ASYNC_DB, findings, make_repo

PACKAGE = '{"dependencies": {"express": "^4.19.0", "sequelize": "^6.37.0"}}'

MODELS = """
    const { Sequelize, DataTypes } = require('sequelize');
    const sequelize = new Sequelize('sqlite::memory:');
    const User = sequelize.define('User', { username: { type: DataTypes.STRING, allowNull: false } });
    const Article = sequelize.define('Article', {
      slug: DataTypes.STRING,
      authorId: { type: DataTypes.INTEGER, allowNull: false },
    });
    module.exports = { sequelize, User, Article };
"""

PROFILES = """
    const { User } = require('./models');

    async function profileOf(userId) {
      const user = await User.findByPk(userId);
      return { username: user.username };
    }

    module.exports = { profileOf };
"""


def _express(tmp_path, app: str, profiles: str = PROFILES):
    root = make_repo(tmp_path, {
        "package.json": PACKAGE,
        "src/models.js": MODELS,
        "src/profiles.js": profiles,
        "src/app.js": """
            const express = require('express');
            const { Article } = require('./models');
            const { profileOf } = require('./profiles');

            const app = express();
            app.use(express.json());

            app.get('/api/articles/:slug', async (req, res) => {
              const article = await Article.findOne({ where: { slug: req.params.slug } });
              if (!article) return res.status(404).end();
              res.json({ slug: article.slug, author: await profileOf(article.authorId) });
            });
        """ + app + """
            module.exports = app;
        """,
    })
    return [f for f in findings(root) if f[0] == "AL220"]


def test_every_caller_passing_a_stored_key_is_silent(tmp_path):
    assert _express(tmp_path, "") == []


def test_a_route_passing_the_path_parameter_is_reported_at_the_helper(tmp_path):
    route = """
            app.get('/api/profiles/:id', async (req, res) => {
              res.json(await profileOf(req.params.id));
            });
    """
    assert _express(tmp_path, route) == [("AL220", "src/profiles.js", 5)]


def test_a_path_parameter_checked_by_an_earlier_lookup_is_a_stored_key(tmp_path):
    """``if (!found) 404`` after a lookup by the same name first: a row with that id exists, so the
    helper's lookup by it finds its row (open-webui's routers check ``get_message_by_id(message_id)``
    before ``update_message_by_id(message_id, …)``)."""
    checked = """
            const { User } = require('./models');
            app.put('/api/users/:id', async (req, res) => {
              const id = req.params.id;
              const found = await User.findByPk(id);
              if (!found) return res.status(404).end();
              res.json(await profileOf(id));
            });
    """
    assert _express(tmp_path / "checked", checked) == []
    unchecked = checked.replace("if (!found) return res.status(404).end();", "")
    assert _express(tmp_path / "unchecked", unchecked) == [("AL220", "src/profiles.js", 5)]


def test_unknown_callers_keep_the_read_reported(tmp_path):
    cases = {
        "passed": "app.get('/api/authors', async (req, res) => res.json(await Promise.all([1, 2].map(profileOf))));",
        "untyped": "function viaRegistry(registry, id) { return registry.profileOf(id); }\nmodule.exports.viaRegistry = viaRegistry;",
        "constant": "app.get('/api/admin', async (req, res) => res.json(await profileOf(1)));",
    }
    for name, route in cases.items():
        assert _express(tmp_path / name, route) == [("AL220", "src/profiles.js", 5)], name


def test_an_exported_helper_nothing_calls_is_reported(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": PACKAGE,
        "src/models.js": MODELS,
        "src/profiles.js": PROFILES,
        "src/app.js": """
            const express = require('express');
            const app = express();
            module.exports = app;
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL220"] == [("AL220", "src/profiles.js", 5)]


def test_a_parameter_passed_through_asks_the_callers_callers(tmp_path):
    """``present(userId)`` hands its own parameter to ``profileOf``: ``present``'s callers decide."""
    profiles = PROFILES.replace("module.exports = { profileOf };", """
    async function present(userId) {
      return { profile: await profileOf(userId) };
    }

    module.exports = { profileOf, present };
    """)
    stored = _express(tmp_path / "stored", """
            const { present } = require('./profiles');
            app.get('/api/articles/:slug/author', async (req, res) => {
              const article = await Article.findOne({ where: { slug: req.params.slug } });
              if (!article) return res.status(404).end();
              res.json(await present(article.authorId));
            });
    """, profiles)
    assert stored == []
    client = _express(tmp_path / "client", """
            const { present } = require('./profiles');
            app.get('/api/profiles/:id', async (req, res) => res.json(await present(req.params.id)));
    """, profiles)
    assert client == [("AL220", "src/profiles.js", 5)]


def test_python_helper_keyed_by_its_parameter(tmp_path):
    models = """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()


        class User(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            username = db.Column(db.String(80), nullable=False)


        class Article(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            slug = db.Column(db.String(200), nullable=False)
            author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)


        def author_name(user_id):
            user = db.session.get(User, user_id)
            return user.username
    """
    routes = """
        from flask import Blueprint, jsonify

        from app.models import Article, author_name

        bp = Blueprint("api", __name__)


        @bp.get("/articles/<slug>")
        def get_article(slug):
            article = Article.query.filter_by(slug=slug).first_or_404()
            return jsonify(slug=article.slug, author=author_name(article.author_id))
    """
    files = {"requirements.txt": "flask\nflask-sqlalchemy\n", "app/__init__.py": "", "app/models.py": models}
    silent = make_repo(tmp_path / "stored", {**files, "app/routes.py": routes})
    assert [f for f in findings(silent) if f[0] == "AL220"] == []
    reported = make_repo(tmp_path / "client", {**files, "app/routes.py": routes + """

        @bp.get("/users/<int:user_id>")
        def get_user(user_id):
            return jsonify(username=author_name(user_id))
    """})
    assert [f for f in findings(reported) if f[0] == "AL220"] == [("AL220", "app/models.py", 19)]


def _open_webui(tmp_path, routes: str, socket: str):
    files = {
        "requirements.txt": "fastapi\nsqlalchemy\naiosqlite\npydantic\n",
        "app/__init__.py": "", "app/models/__init__.py": "", "app/routers/__init__.py": "", "app/socket/__init__.py": "",
        "app/db.py": OPEN_WEBUI_ASYNC_DB,
        "app/models/messages.py": """
        import time
        from typing import Optional

        from pydantic import BaseModel, ConfigDict
        from sqlalchemy import Boolean, Column, String, Text
        from sqlalchemy.ext.asyncio import AsyncSession

        from app.db import Base, get_async_db_context


        class Message(Base):
            __tablename__ = "message"
            id = Column(Text, primary_key=True)
            channel_id = Column(Text)
            content = Column(Text)
            is_pinned = Column(Boolean, default=False)
            updated_at = Column(String)


        class MessageModel(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            id: str
            channel_id: Optional[str] = None
            content: str
            is_pinned: bool = False


        class MessageForm(BaseModel):
            content: str


        class MessageTable:
            async def get_message_by_id(self, id: str, db: Optional[AsyncSession] = None) -> Optional[MessageModel]:
                async with get_async_db_context(db) as db:
                    message = await db.get(Message, id)
                    if not message:
                        return None
                    return MessageModel.model_validate(message)

            async def update_message_by_id(self, id: str, form_data: MessageForm, db: Optional[AsyncSession] = None) -> Optional[MessageModel]:
                async with get_async_db_context(db) as db:
                    message = await db.get(Message, id)
                    message.content = form_data.content
                    message.updated_at = str(time.time_ns())
                    await db.commit()
                    await db.refresh(message)
                    return MessageModel.model_validate(message) if message else None

            async def update_is_pinned_by_id(self, id: str, is_pinned: bool, db: Optional[AsyncSession] = None) -> Optional[MessageModel]:
                async with get_async_db_context(db) as db:
                    message = await db.get(Message, id)
                    message.is_pinned = is_pinned
                    await db.commit()
                    await db.refresh(message)
                    return MessageModel.model_validate(message) if message else None


        Messages = MessageTable()
""",
        "app/routers/channels.py": routes,
        "app/socket/main.py": socket,
    }
    return [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL220"]


OPEN_WEBUI_ROUTES = """
        from fastapi import APIRouter, Depends, HTTPException, status
        from pydantic import BaseModel
        from sqlalchemy.ext.asyncio import AsyncSession

        from app.db import get_async_session
        from app.models.messages import MessageForm, MessageModel, Messages

        router = APIRouter()


        class PinMessageForm(BaseModel):
            is_pinned: bool


        @router.post("/{id}/messages/{message_id}/pin", response_model=MessageModel)
        async def pin_channel_message(id: str, message_id: str, form_data: PinMessageForm, db: AsyncSession = Depends(get_async_session)):
            message = await Messages.get_message_by_id(message_id, db=db)
            if not message:
                raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="not found")
            if message.channel_id != id:
                raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="wrong channel")
            try:
                await Messages.update_is_pinned_by_id(message_id, form_data.is_pinned, db=db)
                message = await Messages.get_message_by_id(message_id, db=db)
                return message
            except Exception:
                raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="error")


        @router.post("/{id}/messages/{message_id}/update", response_model=MessageModel)
        async def update_message(id: str, message_id: str, form_data: MessageForm, db: AsyncSession = Depends(get_async_session)):
            message = await Messages.get_message_by_id(message_id, db=db)
            if not message:
                raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="not found")
            if message.channel_id != id:
                raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="wrong channel")
            await Messages.update_message_by_id(message_id, form_data, db=db)
            return await Messages.get_message_by_id(message_id, db=db)
"""

OPEN_WEBUI_SOCKET = """
        async def stream_to_channel(request_info: dict, chunks):
            channel_id = request_info["chat_id"].removeprefix("channel:")
            message_id = request_info["message_id"]

            async def _emit_channel_update(content: str):
                from app.models.messages import MessageForm, Messages

                msg = await Messages.get_message_by_id(message_id)
                if not msg or msg.channel_id != channel_id:
                    return
                await Messages.update_message_by_id(message_id, MessageForm(content=content))

            async for chunk in chunks:
                await _emit_channel_update(chunk)
"""


def test_a_sqlalchemy_helper_whose_none_means_no_row_checks_the_key(tmp_path):
    """open-webui 0.12 (models/messages.py): ``update_message_by_id(id)`` reads ``db.get(Message, id)``
    unchecked, and every caller first ran ``get_message_by_id(message_id)`` — which answers None where
    ``db.get`` found no row, else a Pydantic model of it — and left on None (``if not message: raise
    404``; in a closure, ``if not msg or …: return`` with the enclosing handler's ``message_id``).
    The helper's None stands for the missed row, so the checked id is a key that finds its row."""
    assert _open_webui(tmp_path / "checked", OPEN_WEBUI_ROUTES, OPEN_WEBUI_SOCKET) == []
    unchecked_route = OPEN_WEBUI_ROUTES.replace("""    message = await Messages.get_message_by_id(message_id, db=db)
            if not message:
                raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="not found")
            if message.channel_id != id:
                raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="wrong channel")
            await Messages.update_message_by_id""", "    await Messages.update_message_by_id")
    assert unchecked_route != OPEN_WEBUI_ROUTES
    assert _open_webui(tmp_path / "route", unchecked_route, OPEN_WEBUI_SOCKET) == [("AL220", "app/models/messages.py", 43)]
    unchecked_closure = OPEN_WEBUI_SOCKET.replace("if not msg or msg.channel_id", "if msg.channel_id")
    assert unchecked_closure != OPEN_WEBUI_SOCKET
    # and the closure's own read of the helper's answer, straight after the call, is reported too (`msg` may be None)
    assert _open_webui(tmp_path / "closure", OPEN_WEBUI_ROUTES, unchecked_closure) == [
        ("AL220", "app/models/messages.py", 43), ("AL220", "app/socket/main.py", 9)]
