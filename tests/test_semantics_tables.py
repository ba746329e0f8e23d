"""One relational schema per project, from every place a project defines its tables (issue 14,
part 3): ORM models with their column mappings, DDL in .sql files and in strings run at start-up,
Alembic/knex/Sequelize migrations, schema.prisma, TypeORM entities and Drizzle tables."""

from __future__ import annotations

from helpers import make_repo, report

from archlint.checks.sql.lifting import project_catalog
from archlint.domain.sql import sql_knowledge


def catalog_of(root, project: str = "", database: str = ""):
    context = report(root).context
    return project_catalog(context, project, database, sql_knowledge(context.knowledge))


def columns(catalog, table: str) -> list[str]:
    return sorted(catalog.get(table).columns.values())


def test_sequelize_models_map_attributes_to_columns_with_field_underscored_and_timestamps(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"sequelize": "^6", "pg": "^8"}}',
        "src/models.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize(process.env.DATABASE_URL, { define: { underscored: true } });
            const User = sequelize.define('User', { username: DataTypes.STRING });
            const Article = sequelize.define('Article', {
              title: DataTypes.STRING,
              favoritesCount: { type: DataTypes.INTEGER, field: 'favs' },
            }, { tableName: 'articles', updatedAt: false });
            Article.belongsTo(User, { as: 'author', foreignKey: 'authorId' });
            module.exports = { User, Article };
        """,
    })
    catalog = catalog_of(root)
    article = catalog.get("articles")
    assert columns(catalog, "articles") == ["author_id", "created_at", "favs", "id", "title"]
    assert article.attributes["favoritesCount"] == "favs" and article.attributes["authorId"] == "author_id"
    assert columns(catalog, "Users") == ["created_at", "id", "updated_at", "username"]  # pluralised model name
    assert article.relations["author"].pairs == (("author_id", "id"),)


def test_knex_migration_sql_file_and_startup_ddl_define_tables_with_their_sources(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"knex": "^3", "better-sqlite3": "^9"}}',
        "migrations/001_users.js": """
            exports.up = (knex) => knex.schema.createTable('users', (t) => {
              t.increments('id');
              t.string('username');
              t.timestamps();
            });
        """,
        "db/schema.sql": "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
        "src/db.js": """
            const Database = require('better-sqlite3');
            const db = new Database('app.db');
            db.exec('CREATE TABLE IF NOT EXISTS article_tags (article_id INTEGER REFERENCES articles(id), tag_id INTEGER REFERENCES tags(id))');
            module.exports = db;
        """,
    })
    catalog = catalog_of(root, database="sqlite")
    assert columns(catalog, "users") == ["created_at", "id", "updated_at", "username"]
    assert catalog.get("users").source == "migration" and catalog.get("users").path == "migrations/001_users.js"
    assert columns(catalog, "tags") == ["id", "name"] and catalog.get("tags").path == "db/schema.sql"
    through = catalog.get("article_tags")
    assert through.source == "DDL run by the code" and {fk.table for fk in through.foreign_keys} == {"articles", "tags"}
    assert catalog.authoritative


def test_prisma_schema_maps_fields_and_relations(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"@prisma/client": "^5"}}',
        "prisma/schema.prisma": """
            datasource db {
              provider = "postgresql"
              url      = env("DATABASE_URL")
            }
            model User {
              id       Int       @id @default(autoincrement())
              articles Article[]
            }
            model Article {
              id       Int    @id
              authorId Int    @map("author_id")
              author   User   @relation(fields: [authorId], references: [id])
              @@map("articles")
            }
        """,
        "src/db.js": "const { PrismaClient } = require('@prisma/client');\nmodule.exports = new PrismaClient();\n",
    })
    catalog = catalog_of(root)
    article = catalog.model("prisma:Article")
    assert article.name == "articles" and article.attributes["authorId"] == "author_id"
    assert article.relations["author"].pairs == (("author_id", "id"),)
    assert catalog.model("prisma:User").relations["articles"].collection


def test_alembic_migration_and_sqlalchemy_models_agree(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy\nalembic\n",
        "app/models.py": """
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column("username")
        """,
        "migrations/versions/001_init.py": """
            import sqlalchemy as sa
            from alembic import op

            def upgrade():
                op.create_table("follows", sa.Column("follower_id", sa.Integer, sa.ForeignKey("users.id")), sa.Column("followed_id", sa.Integer))
        """,
    })
    catalog = catalog_of(root)
    assert catalog.get("users").attributes["name"] == "username"
    assert columns(catalog, "follows") == ["followed_id", "follower_id"]
    assert catalog.get("follows").foreign_keys[0].table == "users"


def test_each_project_has_its_own_schema(tmp_path):
    root = make_repo(tmp_path, {
        "api/package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
        "api/migrations/001.js": "exports.up = (knex) => knex.schema.createTable('orders', (t) => { t.increments('id'); });\n",
        "api/src/db.js": "module.exports = require('knex')({ client: 'pg' });\n",
        "admin/package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
        "admin/migrations/001.js": "exports.up = (knex) => knex.schema.createTable('admins', (t) => { t.increments('id'); });\n",
        "admin/src/db.js": "module.exports = require('knex')({ client: 'pg' });\n",
    })
    assert set(catalog_of(root, "api").tables) == {"orders"}
    assert set(catalog_of(root, "admin").tables) == {"admins"}


def test_typeorm_and_drizzle_tables(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"typeorm": "^0.3", "drizzle-orm": "^0.33", "pg": "^8"}}',
        "src/user.entity.ts": """
            import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
            @Entity()
            export class UserProfile {
              @PrimaryGeneratedColumn() id: number;
              @Column({ name: 'user_name' }) username: string;
            }
        """,
        "src/schema.ts": """
            import { integer, pgTable, text } from 'drizzle-orm/pg-core';
            export const authors = pgTable('authors', { id: integer('id').primaryKey(), fullName: text('full_name') });
            export const books = pgTable('books', { id: integer('id'), authorId: integer('author_id').references(() => authors.id) });
        """,
    })
    catalog = catalog_of(root)
    assert catalog.get("user_profile").attributes["username"] == "user_name"  # TypeORM: snake_case class name
    assert catalog.get("authors").attributes["fullName"] == "full_name"
    assert catalog.get("books").foreign_keys[0].table == "authors"


def test_django_migrations_define_tables_named_after_their_app(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "Django\n",
        "blog/migrations/0001_initial.py": """
            from django.db import migrations, models


            class Migration(migrations.Migration):
                operations = [
                    migrations.CreateModel(
                        name="Entry",
                        fields=[
                            ("id", models.AutoField(primary_key=True)),
                            ("headline", models.CharField(max_length=200)),
                            ("blog", models.ForeignKey(on_delete=models.CASCADE, to="blog.blog")),
                        ],
                    ),
                    migrations.CreateModel(name="Tag", fields=[("name", models.CharField(max_length=20))], options={"db_table": "tags"}),
                ]
        """,
    })
    catalog = catalog_of(root)
    assert columns(catalog, "blog_entry") == ["blog_id", "headline", "id"]
    assert catalog.get("tags").source == "Django migration"


def test_prisma_named_and_self_many_to_many_relations_use_the_relation_name_join_table(tmp_path):
    """Found on the Prisma Conduit (gothinkster's shape, francielecapaulino-coder's fork):
    `followedBy User[] @relation("UserFollows")` / `following User[] @relation("UserFollows")` is an
    implicit many-to-many of User with itself, in Prisma's table `_UserFollows`; a named relation
    between two models (`favorites` / `favoritedBy`) is `_UserFavorites`, not `_ArticleToUser`."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"@prisma/client": "^5"}}',
        "prisma/schema.prisma": """
            datasource db {
              provider = "postgresql"
              url      = env("DATABASE_URL")
            }
            model User {
              id         Int       @id @default(autoincrement())
              articles   Article[] @relation("UserArticles")
              favorites  Article[] @relation("UserFavorites")
              followedBy User[]    @relation("UserFollows")
              following  User[]    @relation("UserFollows")
            }
            model Article {
              id          Int    @id
              authorId    Int
              author      User   @relation("UserArticles", fields: [authorId], references: [id])
              favoritedBy User[] @relation("UserFavorites")
              tags        Tag[]
            }
            model Tag {
              id       Int       @id
              articles Article[]
            }
        """,
        "src/db.js": "const { PrismaClient } = require('@prisma/client');\nmodule.exports = new PrismaClient();\n",
    })
    catalog = catalog_of(root)
    user = catalog.model("prisma:User")
    assert user.relations["followedBy"].through == "_UserFollows" == user.relations["following"].through
    assert user.relations["followedBy"].through_pairs != user.relations["following"].through_pairs  # one side A, the other B
    assert user.relations["favorites"].through == "_UserFavorites"
    assert user.relations["articles"].pairs == (("id", "authorId"),)
    assert catalog.model("prisma:Article").relations["tags"].through == "_ArticleToTag"
