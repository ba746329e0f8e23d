"""Query values carry the builder chains that made them (issue 14): through assignments, branches,
helpers and awaits, so a lifter sees every possible query a statement runs."""

from __future__ import annotations

from helpers import make_repo, report

from archlint.domain.ir_format import render
from archlint.semantics import values as v
from archlint.semantics.builders import collect_queries


def runs(root):
    program = report(root).context.program
    return program, collect_queries(program)


def chain_text(chain) -> str:
    return " . ".join(step.node.method or render(step.node.func, 30) if hasattr(step.node, "func") else "[]" for step in chain)


def test_a_query_built_over_several_statements_keeps_both_branches(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy\n",
        "app/models.py": """
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)
                author_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
        """,
        "app/repo.py": """
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import Article


            def page(session: Session, tag, limit):
                q = select(Article)
                if tag:
                    q = q.where(Article.id == tag)
                q = q.limit(limit)
                return session.scalars(q).all()
        """,
    })
    program, found = runs(root)
    (run,) = [r for r in found if r.query.stack == "sqlalchemy"]
    assert sorted(chain_text(chain) for chain in run.query.chains) == ["select . limit", "select . where . limit"]
    assert run.path == "app/repo.py" and run.span.line == 12  # session.scalars(q) runs it


def test_a_knex_builder_returned_by_a_repository_runs_where_the_caller_awaits_it(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
        "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg' });\n",
        "src/repo.js": """
            const db = require('./db');
            function base() {
              return db('articles').select('id');
            }
            async function page(limit) {
              return base().orderBy('id').limit(limit);
            }
            async function count() {
              return base().count('* as n');
            }
            module.exports = { page, count };
        """,
        "src/service.js": """
            const repo = require('./repo');
            async function list() {
              const rows = await repo.page(10);
              return rows;
            }
            module.exports = { list };
        """,
    })
    program, found = runs(root)
    chains = sorted(chain_text(chain) for run in found for chain in run.query.chains)
    # base() alone is a prefix of what page() and count() build: it is no query of its own
    assert chains == ["db . select . count", "db . select . orderBy . limit"]


def test_an_options_object_built_entry_by_entry_is_a_record_with_both_shapes(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"sequelize": "^6", "pg": "^8"}}',
        "src/models.js": """
            const { Sequelize, DataTypes, Op } = require('sequelize');
            const sequelize = new Sequelize(process.env.DATABASE_URL);
            const Article = sequelize.define('Article', { title: DataTypes.STRING, authorId: DataTypes.INTEGER });
            async function find(author, term) {
              const where = {};
              if (author) where.authorId = author;
              where[Op.or] = [{ title: term }];
              return Article.findAll({ where });
            }
            module.exports = { find };
        """,
    })
    program, found = runs(root)
    (run,) = found
    (chain,) = run.query.chains
    options = v.strip(chain[0].args[0][2])
    where = v.strip(options.get("where"))
    shapes = sorted(sorted(k for k, _ in v.strip(o).items) for o in v.options(where))
    assert shapes == [["[sequelize:Op.or]"], ["[sequelize:Op.or]", "authorId"]]


def test_queries_merge_their_chains_but_other_differences_stay_a_union():
    select = v.Step("a.py", None)
    where = v.Step("a.py", "where")
    one = v.Query("sqlalchemy", "m", chains=frozenset({(select,)}))
    two = v.Query("sqlalchemy", "m", chains=frozenset({(select, where)}))
    merged = v.join(one, two)
    assert type(merged) is v.Query and merged.chains == frozenset({(select,), (select, where)})
    unknown = v.Query("sqlalchemy", "m")
    assert v.join(one, unknown).chains == frozenset()  # one way unknown: the chain is not known
    other = v.Query("sqlalchemy", "n", chains=frozenset({(select,)}))
    assert type(v.join(one, other)) is v.Union


def test_an_aggregate_without_groups_always_has_its_one_row(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
        "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg' });\n",
        "src/repo.js": """
            const db = require('./db');
            async function total() {
              const row = await db('articles').count('* as n').first();
              return Number(row.n);
            }
            async function bySlug(slug) {
              const row = await db('articles').where({ slug }).first();
              return row.title;
            }
            module.exports = { total, bySlug };
        """,
    })
    nullable = [(f.rule, f.line) for f in report(root).findings if f.rule == "AL220"]
    assert nullable == [("AL220", 8)]  # the lookup may find nothing; the count always returns a row
