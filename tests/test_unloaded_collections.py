"""AL229 for a Sequelize *collection* association the query did not include (`a.tags.map(…)`,
`a.tags.length` on rows whose `findAll` has no include of `tags`: undefined, so a TypeError), with the
look-alikes that load it: an include naming the model, an association getter given an include, optional
chaining, and a model's own method (judged in its callers' contexts, not on its own)."""

from __future__ import annotations

from helpers import make_repo, report

NODE = '{"name": "x", "dependencies": {"express": "4", "sequelize": "6", "pg": "8"}}'
MODELS = """
    const { Sequelize, DataTypes, Model } = require('sequelize');
    const sequelize = new Sequelize(process.env.DATABASE_URL);
    class User extends Model {}
    User.init({ username: DataTypes.STRING }, { sequelize, modelName: 'User' });
    class Tag extends Model {}
    Tag.init({ name: DataTypes.STRING }, { sequelize, modelName: 'Tag' });
    class Article extends Model {
      authorName() { return this.author.username; }
      tagNames() { return this.tags.map((t) => t.name); }
    }
    Article.init({ slug: DataTypes.STRING }, { sequelize, modelName: 'Article' });
    Article.belongsTo(User, { as: 'author' });
    Article.belongsToMany(Tag, { through: 'article_tags', as: 'tags' });
    User.belongsToMany(Article, { through: 'stars', as: 'starred' });
    module.exports = { sequelize, Article, Tag, User };
"""


def _al229(root, service: str):
    make_repo(root, {"package.json": NODE, "src/models/index.js": MODELS, "src/services/articles.js": service})
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == "AL229")


def test_a_collection_the_query_did_not_include_is_undefined(tmp_path):
    assert _al229(tmp_path, """
        const { Article, User } = require('../models');

        async function list() {
          const rows = await Article.findAll({ include: [{ model: User, as: 'author' }] });
          return rows.map((a) => ({ tags: a.tags.map((t) => t.name), author: a.author.username }));
        }

        async function count() {
          const rows = await Article.findAll();
          return rows.map((a) => a.tags.length);
        }

        async function starred(id) {
          const user = await User.findByPk(id);
          if (!user) return [];
          const rows = await user.getStarred();
          return rows.map((a) => a.tags.map((t) => t.name));
        }

        module.exports = { list, count, starred };
    """) == [("src/services/articles.js", 5), ("src/services/articles.js", 10), ("src/services/articles.js", 17)]


def test_included_collections_optional_chaining_and_model_methods_stay_silent(tmp_path):
    assert _al229(tmp_path, """
        const { Article, Tag, User } = require('../models');

        async function list() {
          const rows = await Article.findAll({ include: [{ model: User, as: 'author' }, Tag] });
          return rows.map((a) => ({ tags: a.tags.map((t) => t.name), n: a.tags.length, who: a.authorName() }));
        }

        async function maybe() {
          const rows = await Article.findAll();
          return rows.map((a) => a.tags?.map((t) => t.name) ?? []);
        }

        async function starred(id) {
          const user = await User.findByPk(id);
          if (!user) return [];
          const rows = await user.getStarred({ include: [{ model: Tag, as: 'tags' }] });
          return rows.map((a) => a.tagNames());
        }

        module.exports = { list, maybe, starred };
    """) == []


def test_a_model_method_is_judged_where_a_caller_did_not_load_the_association(tmp_path):
    assert _al229(tmp_path, """
        const { Article } = require('../models');

        async function list() {
          const rows = await Article.findAll();
          return rows.map((a) => a.tagNames());
        }

        module.exports = { list };
    """) == [("src/models/index.js", 9)]


def test_rows_created_or_reloaded_with_an_include_have_it_loaded(tmp_path):
    assert _al229(tmp_path, """
        const { Article, Tag } = require('../models');

        async function create(names) {
          const article = await Article.create({ slug: 's', tags: names.map((name) => ({ name })) },
                                               { include: [{ model: Tag, as: 'tags' }] });
          return article.tags.map((t) => t.name);
        }

        async function reloaded(id) {
          const article = await Article.findByPk(id);
          if (!article) return null;
          await article.reload({ include: [{ model: Tag, as: 'tags' }] });
          return article.tags.map((t) => t.name);
        }

        async function bare(slug) {
          const article = await Article.create({ slug });
          return article.tags.length;
        }

        module.exports = { create, reloaded, bare };
    """) == [("src/services/articles.js", 18)]


TYPEORM_ENTITIES = """
    import { Entity, PrimaryGeneratedColumn, Column, ManyToMany, JoinTable, ManyToOne, OneToMany } from 'typeorm';

    @Entity()
    export class Tag {
      @PrimaryGeneratedColumn() id!: number;
      @Column() name!: string;
    }

    @Entity()
    export class Comment {
      @PrimaryGeneratedColumn() id!: number;
      @Column() body!: string;
      @ManyToOne(() => Article, (a) => a.comments) article!: Article;
    }

    @Entity()
    export class Article {
      @PrimaryGeneratedColumn() id!: number;
      @Column() slug!: string;
      @ManyToMany(() => Tag, { eager: true }) @JoinTable() tags!: Tag[];
      @OneToMany(() => Comment, (c) => c.article) comments!: Comment[];
    }
"""


def test_typeorm_collections_not_loaded_and_their_look_alikes(tmp_path):
    make_repo(tmp_path, {
        "package.json": '{"name": "t", "dependencies": {"typeorm": "^0.3.20", "pg": "^8.11.0", "express": "^4.19.0"}}',
        "src/entities.ts": TYPEORM_ENTITIES,
        "src/data.ts": """
            import { DataSource } from 'typeorm';
            import { Article, Tag, Comment } from './entities';
            export const ds = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, entities: [Article, Tag, Comment] });
        """,
        "src/services/articles.ts": """
            import { ds } from '../data';
            import { Article } from '../entities';

            export async function missing() {
              const rows = await ds.getRepository(Article).find();
              return rows.map((a) => ({ tags: a.tags.map((t) => t.name), n: a.comments.length }));
            }

            export async function related() {
              const rows = await ds.getRepository(Article).find({ relations: { comments: true } });
              return rows.map((a) => a.comments.length);
            }

            export async function joined() {
              const rows = await ds.getRepository(Article).createQueryBuilder('a').leftJoinAndSelect('a.comments', 'c').getMany();
              return rows.map((a) => a.comments.map((c) => c.body));
            }
        """,
    })
    found = sorted((f.path, f.line) for f in report(tmp_path).findings if f.rule == "AL229")
    assert found == [("src/services/articles.ts", 6)]  # a.comments; the eager tags are loaded
