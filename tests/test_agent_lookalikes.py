"""Look-alikes from the agent-style set (fixtures/agent-*-lifespan, agent-hono-model-scopes): what made a false
alarm, next to the defect it resembles."""

from __future__ import annotations

from tests.helpers import findings, make_repo

SCOPED = """
    const {{ DataTypes, Sequelize }} = require('sequelize');
    const sequelize = new Sequelize({{ dialect: 'sqlite', storage: 'x.sqlite' }});
    const Article = sequelize.define('Article', {{ title: DataTypes.STRING }}, {{
      scopes: {{
        recent: {{ order: [['createdAt', 'DESC']] }},
        titled: {{ where: {{ title: 'x' }} }},
      }},
      {default}
    }});
    async function page(limit, offset) {{
      return {query};
    }}
    module.exports = {{ page }};
"""


def _paging(tmp_path, query: str, default: str = "") -> list[str]:
    root = make_repo(tmp_path, {"package.json": '{"dependencies": {"sequelize": "^6.37.3", "sqlite3": "^5.1.7"}}',
                                "repo.js": SCOPED.format(query=query, default=default)})
    return [rule for rule, _path, _line in findings(root)]


def test_scope_with_order_pages_ordered_rows(tmp_path):
    assert "AL409" not in _paging(tmp_path, "Article.scope('recent').findAll({ limit, offset })")


def test_scope_without_order_still_pages_unordered(tmp_path):
    assert "AL409" in _paging(tmp_path, "Article.scope('titled').findAll({ limit, offset })")


def test_default_scope_order_applies_unless_unscoped(tmp_path):
    default = "defaultScope: { order: [['id', 'ASC']] },"
    assert "AL409" not in _paging(tmp_path / "a", "Article.findAll({ limit, offset })", default)
    assert "AL409" in _paging(tmp_path / "b", "Article.unscoped().findAll({ limit, offset })", default)


MODELS = """
    from sqlalchemy import ForeignKey, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload


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
        author: Mapped[User] = relationship(lazy="raise")


    def to_dict(article: Article) -> dict:
        return {"id": article.id, "author": article.author.username}

"""


def test_raise_relation_read_on_an_annotated_parameter_waits_for_the_caller(tmp_path):
    loaded = MODELS + """
    def listing(session: Session) -> list[dict]:
        rows = session.scalars(select(Article).options(selectinload(Article.author))).all()
        return [to_dict(a) for a in rows]
    """
    root = make_repo(tmp_path / "ok", {"app.py": loaded})
    assert "AL235" not in [rule for rule, _path, _line in findings(root)]
    unloaded = MODELS + """
    def listing(session: Session) -> list[dict]:
        rows = session.scalars(select(Article)).all()
        return [to_dict(a) for a in rows]
    """
    root = make_repo(tmp_path / "bad", {"app.py": unloaded})
    assert "AL235" in [rule for rule, _path, _line in findings(root)]
