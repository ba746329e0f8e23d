"""NestJS's ORM modules: `@InjectModel(Model)` from @nestjs/sequelize hands a service the model class,
and the schema the ORM module creates from its options (`SequelizeModule.forRoot({ autoLoadModels })`,
TypeORM's `synchronize: true`) counts for AL304 and the database verdict — both read from the IR."""

from __future__ import annotations

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, run_verify
from helpers import make_repo, report

PACKAGE = '{"name": "app", "dependencies": {"@nestjs/common": "^10", "@nestjs/sequelize": "^10", "sequelize": "^6", "sequelize-typescript": "^2", "sqlite3": "^5"}}'

MODELS = {
    "src/user.model.ts": '''
        import { Column, Model, Table } from 'sequelize-typescript';

        @Table({ tableName: 'users' })
        export class User extends Model {
          @Column
          username: string;
        }
    ''',
    "src/article.model.ts": '''
        import { BelongsTo, Column, ForeignKey, Model, Table } from 'sequelize-typescript';
        import { User } from './user.model';

        @Table({ tableName: 'articles' })
        export class Article extends Model {
          @Column
          slug: string;

          @ForeignKey(() => User)
          @Column
          authorId: number;

          @BelongsTo(() => User)
          author: User;
        }
    ''',
}


def _repo(tmp_path, files: dict[str, str]):
    return make_repo(tmp_path, {"package.json": PACKAGE, **MODELS, **files})


def _module(options: str) -> dict[str, str]:
    return {"src/app.module.ts": f'''
        import {{ Module }} from '@nestjs/common';
        import {{ SequelizeModule }} from '@nestjs/sequelize';
        import {{ Article }} from './article.model';
        import {{ User }} from './user.model';

        @Module({{
          imports: [SequelizeModule.{options}, SequelizeModule.forFeature([Article, User])],
        }})
        export class AppModule {{}}
    '''}


def _rules(root, rule):
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == rule)


def test_inject_model_hands_the_service_the_model_class(tmp_path):
    root = _repo(tmp_path, {**_module("forRoot({ dialect: 'sqlite', storage: 'db.sqlite', autoLoadModels: true })"),
                            "src/articles.service.ts": '''
        import { Injectable, NotFoundException } from '@nestjs/common';
        import { InjectModel } from '@nestjs/sequelize';
        import { Article } from './article.model';
        import { User } from './user.model';

        @Injectable()
        export class ArticlesService {
          constructor(
            @InjectModel(Article) private readonly articles: typeof Article,
            @InjectModel(User) private readonly users: typeof User,
            @InjectModel('Legacy') private readonly legacy: any,
          ) {}

          private async authorOf(article: Article) {
            return this.users.findByPk(article.authorId);
          }

          async list() {
            const rows = await this.articles.findAll({ order: [['id', 'DESC']] });
            return Promise.all(rows.map((row) => this.authorOf(row)));
          }

          async listIncluded() {
            const rows = await this.articles.findAll({ include: [{ model: User, as: 'author' }], order: [['id', 'DESC']] });
            return rows.map((row) => row.author.username);
          }

          async one(slug: string) {
            const row = await this.articles.findOne({ where: { slug } });
            return row.slug;
          }

          async checked(slug: string) {
            const row = await this.articles.findOne({ where: { slug } });
            if (!row) throw new NotFoundException();
            return row.slug;
          }

          async legacyRows() {
            const rows = await this.legacy.findAll();
            return Promise.all(rows.map((row) => this.legacy.findOne({ where: { id: row.parentId } })));
          }
        }
    '''})
    assert _rules(root, "AL601") == [("src/articles.service.ts", 20)]
    assert _rules(root, "AL220") == [("src/articles.service.ts", 30)]  # `checked` is guarded
    # a string token (`@InjectModel('Legacy')`) names no model: nothing is typed, nothing guessed


@pytest.mark.parametrize(("options", "created"), [
    ("forRoot({ dialect: 'sqlite', storage: 'db.sqlite', autoLoadModels: true })", True),
    ("forRoot({ dialect: 'sqlite', storage: 'db.sqlite', autoLoadModels: true, synchronize: process.env.SYNC !== '0' })", True),
    ("forRootAsync({ useFactory: () => ({ dialect: 'sqlite', storage: 'db.sqlite', autoLoadModels: true }) })", True),
    # without autoLoadModels the module's connection factory returns the bare Sequelize: nothing syncs
    ("forRoot({ dialect: 'sqlite', storage: 'db.sqlite', models: [Article, User], synchronize: true })", False),
    ("forRoot({ dialect: 'sqlite', storage: 'db.sqlite', autoLoadModels: true, synchronize: false })", False),
    ("forRootAsync({ useFactory: () => ({ dialect: 'sqlite', storage: 'db.sqlite', autoLoadModels: false }) })", False),
])
def test_sequelize_module_options_decide_whether_the_schema_is_created(tmp_path, options, created):
    root = _repo(tmp_path, {**_module(options), "src/articles.service.ts": '''
        import { Injectable } from '@nestjs/common';
        import { InjectModel } from '@nestjs/sequelize';
        import { Article } from './article.model';

        @Injectable()
        export class ArticlesService {
          constructor(@InjectModel(Article) private readonly articles: typeof Article) {}

          list() {
            return this.articles.findAll({ order: [['id', 'DESC']] });
          }
        }
    '''})
    assert bool(_rules(root, "AL304")) is not created
    verify = run_verify(str(root), Constraints(database="sqlite", orm="sequelize"), options=Options(use_cache=False))
    verdicts = {verdict.constraint: verdict for verdict in verify.verdicts}
    assert verdicts["orm"].compliant
    assert verdicts["database"].compliant is created, verdicts["database"].reason
    assert [e.detail for e in verdicts["database"].evidence].count("option sqlite") == 1  # the nested options count once


def test_typeorm_module_synchronize_creates_the_schema_for_the_database_verdict(tmp_path):
    entity = '''
        import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

        @Entity()
        export class Article {
          @PrimaryGeneratedColumn()
          id: number;

          @Column()
          slug: string;
        }
    '''
    for name, synchronize, created in (("on", "synchronize: true,", True), ("off", "synchronize: false,", False)):
        root = make_repo(tmp_path / name, {
            "package.json": '{"name": "app", "dependencies": {"@nestjs/typeorm": "^10", "typeorm": "^0.3", "pg": "^8"}}',
            "src/article.entity.ts": entity,
            "src/app.module.ts": f'''
                import {{ Module }} from '@nestjs/common';
                import {{ TypeOrmModule }} from '@nestjs/typeorm';
                import {{ Article }} from './article.entity';

                @Module({{
                  imports: [TypeOrmModule.forRoot({{ type: 'postgres', url: process.env.DATABASE_URL, entities: [Article], {synchronize} }})],
                }})
                export class AppModule {{}}
            ''',
            "src/articles.service.ts": '''
                import { Injectable } from '@nestjs/common';
                import { InjectRepository } from '@nestjs/typeorm';
                import { Repository } from 'typeorm';
                import { Article } from './article.entity';

                @Injectable()
                export class ArticlesService {
                  constructor(@InjectRepository(Article) private readonly articles: Repository<Article>) {}

                  list() {
                    return this.articles.find({ order: { id: 'DESC' } });
                  }
                }
            ''',
        })
        verify = run_verify(str(root), Constraints(database="postgresql"), options=Options(use_cache=False))
        verdict = verify.verdicts[0]
        assert verdict.compliant is created, (name, verdict.reason)


def test_nest_mongoose_models_are_injected_by_name(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"@nestjs/common": "^10", "@nestjs/mongoose": "^10", "mongoose": "^8"}}',
        "src/user.schema.ts": '''
            import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

            @Schema()
            export class User {
              @Prop({ required: true, unique: true })
              username: string;
            }

            export const UserSchema = SchemaFactory.createForClass(User);
        ''',
        "src/article.schema.ts": '''
            import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
            import { Types } from 'mongoose';

            @Schema()
            export class Article {
              @Prop()
              slug: string;

              @Prop({ type: Types.ObjectId, ref: 'User' })
              author: Types.ObjectId;
            }

            export const ArticleSchema = SchemaFactory.createForClass(Article);
        ''',
        "src/articles.service.ts": '''
            import { Injectable } from '@nestjs/common';
            import { InjectModel } from '@nestjs/mongoose';
            import { Model } from 'mongoose';
            import { Article } from './article.schema';
            import { User } from './user.schema';

            @Injectable()
            export class ArticlesService {
              constructor(
                @InjectModel(Article.name) private readonly articles: Model<Article>,
                @InjectModel('User') private readonly users: Model<User>,
                @InjectModel('Audit') private readonly audits: Model<any>,
              ) {}

              private async authorOf(article: Article) {
                return this.users.findById(article.author).exec();
              }

              async list() {
                const rows = await this.articles.find().sort({ _id: -1 }).exec();
                return Promise.all(rows.map((row) => this.authorOf(row)));
              }

              async listPopulated() {
                const rows = await this.articles.find().populate('author').sort({ _id: -1 }).exec();
                return rows.map((row) => row.slug);
              }

              async audited() {
                const rows = await this.audits.find().exec();
                return Promise.all(rows.map((row) => this.audits.findById(row.parent).exec()));
              }
            }
        ''',
    })
    # `Audit` names no schema of the project: its model stays unknown (nothing guessed)
    assert _rules(root, "AL601") == [("src/articles.service.ts", 21)]


def test_mongoose_model_populate_per_document_is_a_query_per_row(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"express": "^4", "mongoose": "^8"}}',
        "src/models.js": '''
            const mongoose = require('mongoose');

            const UserSchema = new mongoose.Schema({ username: String });
            const ArticleSchema = new mongoose.Schema({ slug: String, author: { type: mongoose.Schema.Types.ObjectId, ref: 'User' } });

            module.exports = { User: mongoose.model('User', UserSchema), Article: mongoose.model('Article', ArticleSchema) };
        ''',
        "src/app.js": '''
            const express = require('express');
            const { Article } = require('./models');

            const app = express();

            app.get('/per-document', async (req, res) => {
              const articles = await Article.find().sort({ _id: -1 }).limit(20);
              const out = await Promise.all(articles.map((a) => Article.populate(a, { path: 'author' })));
              res.json(out.map((a) => a.author.username));
            });

            app.get('/batched', async (req, res) => {
              const articles = await Article.find().sort({ _id: -1 }).limit(20);
              const populated = await Article.populate(articles, { path: 'author' });
              res.json(populated.map((a) => a.slug));
            });

            app.listen(3000);
        ''',
    })
    assert _rules(root, "AL601") == [("src/app.js", 8)]
