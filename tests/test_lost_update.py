"""AL311: a stored column written back as the value the request read plus a constant, in the
other stacks (the Prisma and Django shapes are the lost-update-* fixtures), with the look-alikes
real code uses: the database's own increment, a row built in the request, a lock, a
compare-and-set, a value that does not come from the column it is written to."""

from __future__ import annotations

from helpers import make_repo, report

NODE = '{"name": "x", "dependencies": {"express": "4", "sequelize": "6", "knex": "3", "pg": "8", "typeorm": "0.3"}}'


def _al311(root):
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == "AL311")


def test_sequelize_update_and_instance_increment(tmp_path):
    make_repo(tmp_path, {
        "package.json": NODE,
        "src/models.js": """
            const { Sequelize, DataTypes } = require('sequelize');

            const sequelize = new Sequelize(process.env.DATABASE_URL);
            const Profile = sequelize.define('Profile', {
              username: { type: DataTypes.STRING, unique: true },
              followersCount: { type: DataTypes.INTEGER, defaultValue: 0 },
            });

            module.exports = { sequelize, Profile };
        """,
        "src/profiles.js": """
            const { sequelize, Profile } = require('./models');

            async function follow(username) {
              const profile = await Profile.findOne({ where: { username } });
              if (!profile) return null;
              await profile.update({ followersCount: profile.followersCount + 1 });
              return profile;
            }

            async function unfollow(username) {
              const profile = await Profile.findOne({ where: { username } });
              if (!profile) return null;
              profile.followersCount -= 1;
              await profile.save();
              return profile;
            }

            async function followAtomically(username) {
              const profile = await Profile.findOne({ where: { username } });
              if (!profile) return null;
              await profile.increment('followersCount');
              return profile;
            }

            async function followLocked(username) {
              return sequelize.transaction(async (transaction) => {
                const profile = await Profile.findOne({ where: { username }, lock: transaction.LOCK.UPDATE, transaction });
                await profile.update({ followersCount: profile.followersCount + 1 }, { transaction });
                return profile;
              });
            }

            async function register(username) {
              const profile = Profile.build({ username, followersCount: 0 });
              profile.followersCount += 1;
              await profile.save();
              return profile;
            }

            module.exports = { follow, unfollow, followAtomically, followLocked, register };
        """,
    })
    assert _al311(tmp_path) == [("src/profiles.js", 6), ("src/profiles.js", 13)]


def test_knex_update_from_a_row_read(tmp_path):
    make_repo(tmp_path, {
        "package.json": NODE,
        "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg' });\n",
        "src/views.js": """
            const db = require('./db');

            async function view(slug) {
              const article = await db('articles').where({ slug }).first();
              if (!article) return null;
              await db('articles').where({ id: article.id }).update({ view_count: article.view_count + 1 });
              return article;
            }

            async function viewAtomically(slug) {
              await db('articles').where({ slug }).increment('view_count', 1);
            }

            async function viewLocked(slug) {
              return db.transaction(async (trx) => {
                const article = await trx('articles').where({ slug }).forUpdate().first();
                await trx('articles').where({ id: article.id }).update({ view_count: article.view_count + 1 });
              });
            }

            async function viewChecked(slug) {
              const article = await db('articles').where({ slug }).first();
              return db('articles')
                .where({ id: article.id, view_count: article.view_count })
                .update({ view_count: article.view_count + 1 });
            }

            module.exports = { view, viewAtomically, viewLocked, viewChecked };
        """,
    })
    assert _al311(tmp_path) == [("src/views.js", 6)]


def test_sqlalchemy_instance_and_statement_increments(tmp_path):
    make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy\nfastapi\n",
        "app/models.py": """
            from sqlalchemy import Integer, String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)
                slug: Mapped[str] = mapped_column(String(255), unique=True)
                favorites_count: Mapped[int] = mapped_column(Integer, default=0)
        """,
        "app/service.py": """
            from sqlalchemy import select, update
            from sqlalchemy.orm import Session

            from app.models import Article


            def favorite(session: Session, slug: str) -> Article:
                article = session.scalars(select(Article).where(Article.slug == slug)).one()
                article.favorites_count = article.favorites_count + 1
                session.commit()
                return article


            def unfavorite(session: Session, slug: str) -> None:
                article = session.scalars(select(Article).where(Article.slug == slug)).one()
                session.execute(update(Article).where(Article.id == article.id).values(favorites_count=article.favorites_count - 1))
                session.commit()


            def favorite_atomically(session: Session, slug: str) -> None:
                session.execute(update(Article).where(Article.slug == slug).values(favorites_count=Article.favorites_count + 1))
                session.commit()


            def favorite_locked(session: Session, slug: str) -> Article:
                article = session.scalars(select(Article).where(Article.slug == slug).with_for_update()).one()
                article.favorites_count += 1
                session.commit()
                return article


            def create(session: Session, slug: str) -> Article:
                article = Article(slug=slug, favorites_count=0)
                article.favorites_count += 1
                session.add(article)
                session.commit()
                return article


            def rename(session: Session, slug: str, bump: int) -> Article:
                article = session.scalars(select(Article).where(Article.slug == slug)).one()
                article.id = article.favorites_count + 1
                article.favorites_count = bump + 1
                session.commit()
                return article
        """,
    })
    assert _al311(tmp_path) == [("app/service.py", 9), ("app/service.py", 16)]


def test_a_row_locked_by_the_repository_that_read_it_is_not_lost(tmp_path):
    """The lock is taken where the row is read — often a repository helper — and the row it
    returns stays locked until the commit: the service's increment is serialised."""
    make_repo(tmp_path, {
        "package.json": NODE,
        "src/models.js": """
            const { Sequelize, DataTypes } = require('sequelize');

            const sequelize = new Sequelize(process.env.DATABASE_URL);
            const Article = sequelize.define('Article', {
              slug: { type: DataTypes.STRING, unique: true },
              favoritesCount: { type: DataTypes.INTEGER, defaultValue: 0 },
            });

            module.exports = { sequelize, Article };
        """,
        "src/repository.js": """
            const { Article } = require('./models');

            function bySlugForUpdate(slug, transaction) {
              return Article.findOne({ where: { slug }, lock: transaction.LOCK.UPDATE, transaction });
            }

            function bySlug(slug) {
              return Article.findOne({ where: { slug } });
            }

            module.exports = { bySlugForUpdate, bySlug };
        """,
        "src/service.js": """
            const { sequelize } = require('./models');
            const repository = require('./repository');

            async function favorite(slug) {
              return sequelize.transaction(async (transaction) => {
                const article = await repository.bySlugForUpdate(slug, transaction);
                await article.update({ favoritesCount: article.favoritesCount + 1 }, { transaction });
                return article;
              });
            }

            async function unfavorite(slug) {
              const article = await repository.bySlug(slug);
              await article.update({ favoritesCount: article.favoritesCount - 1 });
              return article;
            }

            module.exports = { favorite, unfavorite };
        """,
    })
    assert _al311(tmp_path) == [("src/service.js", 14)]


def test_drizzle_rows_are_rows_of_their_table(tmp_path):
    """``db.select().from(articles)``: the rows are rows of the table ``articles`` names, so a
    destructured ``[article]`` may be undefined (AL220), a lookup by a foreign key read from a held
    row finds its row, and ``update(articles).set({ n: article.n + 1 })`` loses updates (AL311)
    where ``sql`${articles.n} + 1``` does not."""
    make_repo(tmp_path, {
        "package.json": '{"name": "x", "type": "module", "dependencies": {"hono": "4", "drizzle-orm": "0.31", "better-sqlite3": "11"}}',
        "src/schema.ts": """
            import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

            export const users = sqliteTable('users', {
              id: integer('id').primaryKey({ autoIncrement: true }),
              username: text('username').notNull(),
            });

            export const articleTable = sqliteTable('articles', {
              id: integer('id').primaryKey({ autoIncrement: true }),
              slug: text('slug').notNull().unique(),
              authorId: integer('author_id').notNull().references(() => users.id),
              favoritesCount: integer('favorites_count').notNull().default(0),
            });
        """,
        "src/db.ts": """
            import Database from 'better-sqlite3';
            import { drizzle } from 'drizzle-orm/better-sqlite3';

            export const db = drizzle(new Database('conduit.db'));
        """,
        "src/articles.ts": """
            import { eq, sql } from 'drizzle-orm';
            import { db } from './db';
            import { articleTable, users } from './schema';

            export async function getArticle(slug: string) {
              const [article] = await db.select().from(articleTable).where(eq(articleTable.slug, slug));
              return { slug: article.slug };
            }

            export async function withAuthor(slug: string) {
              const [article] = await db.select().from(articleTable).where(eq(articleTable.slug, slug));
              if (!article) return null;
              const [author] = await db.select().from(users).where(eq(users.id, article.authorId));
              return { slug: article.slug, author: author.username };
            }

            export async function favorite(slug: string) {
              const [article] = await db.select().from(articleTable).where(eq(articleTable.slug, slug));
              if (!article) return null;
              await db.update(articleTable).set({ favoritesCount: article.favoritesCount + 1 }).where(eq(articleTable.id, article.id));
              await db.update(articleTable).set({ favoritesCount: sql`${articleTable.favoritesCount} + 1` }).where(eq(articleTable.id, article.id));
              return article;
            }
        """,
    })
    found = sorted((f.rule, f.path, f.line) for f in report(tmp_path).findings if f.rule in ("AL220", "AL311"))
    assert found == [("AL220", "src/articles.ts", 7), ("AL311", "src/articles.ts", 20)]
    messages = [f.message for f in report(tmp_path).findings if f.rule == "AL220"]
    assert "row of `articles`" in messages[0]
