"""Shapes of real SQLAlchemy code that were false alarms (flask-appbuilder 5.3): a backref another model
declares is an attribute of the target model (AL210), and a marshmallow ``schema.load(request.json)`` is
the validated body — its keys are the schema's declared fields, not the client's (AL504)."""

from __future__ import annotations

from tests.helpers import findings, make_repo

MODELS = """
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import backref, declarative_base, relationship

Model = declarative_base()

assoc = Table("assoc", Model.metadata, Column("role_id", ForeignKey("roles.id")), Column("pv_id", ForeignKey("pvs.id")))


class PermissionView(Model):
    __tablename__ = "pvs"
    id = Column(Integer, primary_key=True)
    name = Column(String(64))


class Role(Model):
    __tablename__ = "roles"
    id = Column(Integer, primary_key=True)
    name = Column(String(64))
    permissions = relationship("PermissionView", secondary=assoc, backref="role")


class User(Model):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String(64))
    role_id = Column(Integer, ForeignKey("roles.id"))
    role = relationship(Role, backref=backref("members", lazy="dynamic"))
"""


def test_backrefs_are_attributes_of_their_target_model(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/queries.py": """
            from sqlalchemy.orm import Session

            from app.models import PermissionView, Role, User


            def views_of(session: Session, role_ids: list[int]):
                return session.query(PermissionView).join(PermissionView.role).filter(Role.id.in_(role_ids)).all()


            def members(session: Session):
                return session.query(Role).join(Role.members).filter(User.name == "x").all()


            def typo(session: Session):
                return session.query(PermissionView).filter(PermissionView.nme == "x").all()
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL210"] == [("AL210", "app/queries.py", 15)]


def test_a_marshmallow_load_is_the_validated_body(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nflask-sqlalchemy\nmarshmallow\n",
        "app/__init__.py": "",
        "app/models.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class Group(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                name = db.Column(db.String(64))
                is_admin = db.Column(db.Boolean, default=False)
        """,
        "app/api.py": """
            from flask import Flask, request
            from marshmallow import Schema, fields

            from app.models import Group, db

            app = Flask(__name__)


            class GroupSchema(Schema):
                name = fields.String(required=True)


            schema = GroupSchema()


            @app.post("/groups")
            def create_group():
                item = schema.load(request.json)
                group = Group()
                for key, value in item.items():
                    setattr(group, key, value)
                db.session.add(group)
                db.session.commit()
                return {"id": group.id}, 201


            @app.post("/raw-groups")
            def create_raw_group():
                group = Group()
                for key, value in request.json.items():
                    setattr(group, key, value)
                db.session.add(group)
                db.session.commit()
                return {"id": group.id}, 201
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL504"] == [("AL504", "app/api.py", 31)]


def test_a_sqlmodel_table_class_declares_its_columns(tmp_path):
    """``class Article(SQLModel, table=True)``: the class keyword is not a base, so the model's
    columns are all known and a misspelt one is AL210; a subclass of a project mixin may inherit
    columns archlint does not see (``Comment.created``), so it stays silent."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlmodel\n",
        "app/__init__.py": "",
        "app/models.py": """
            from typing import Optional

            from sqlmodel import Field, Session, SQLModel, select


            class Timestamped(SQLModel):
                created: str = ""


            class Article(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                slug: str = Field(index=True, unique=True)
                title: str


            class Comment(Timestamped, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                body: str


            def by_slug(session: Session, slug: str):
                return session.exec(select(Article).where(Article.slug == slug, Article.titel != "")).first()


            def recent(session: Session):
                return session.exec(select(Comment).order_by(Comment.created)).all()
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL210"] == [("AL210", "app/models.py", 22)]
