"""AL104 and ES modules whose imports are read only later: TypeORM entities import each other and
read each other only in `() => User` — no cycle can see a half-loaded module; one load-time read
on the cycle (a Nest constructor's parameter type) is enough for it to fail in one load order."""

from __future__ import annotations

from helpers import make_repo, report

USER = '''
    import { Column, Entity, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
    import { Article } from '../articles/article.entity';

    @Entity()
    export class User {
      @PrimaryGeneratedColumn() id: number;
      @Column() username: string;
      @OneToMany(() => Article, (article) => article.author) articles: Article[];
    }
'''
ARTICLE = '''
    import { Column, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
    import { User } from '../users/user.entity';

    @Entity()
    export class Article {
      @PrimaryGeneratedColumn() id: number;
      @Column() title: string;
      @ManyToOne(() => User, (user) => user.articles) author: User;
    }
'''


def _cycles(root):
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == "AL104")


def test_entities_reading_each_other_only_in_arrow_functions_are_no_cycle(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"@nestjs/common": "^10", "typeorm": "^0.3"}}',
        "src/users/user.entity.ts": USER,
        "src/articles/article.entity.ts": ARTICLE,
    })
    assert _cycles(root) == []


def test_a_service_cycle_through_constructor_injection_is_still_one(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"@nestjs/common": "^10", "typeorm": "^0.3"}}',
        "src/users/user.entity.ts": USER,
        "src/articles/article.entity.ts": ARTICLE,
        "src/users/users.service.ts": '''
            import { Injectable } from '@nestjs/common';
            import { ArticlesService } from '../articles/articles.service';

            @Injectable()
            export class UsersService {
              constructor(private readonly articles: ArticlesService) {}
            }
        ''',
        "src/articles/articles.service.ts": '''
            import { Injectable } from '@nestjs/common';
            import { UsersService } from '../users/users.service';

            @Injectable()
            export class ArticlesService {
              authorOf(id: number) {
                return UsersService.name + id;
              }
            }
        ''',
    })
    assert _cycles(root) == [("src/users/users.service.ts", 2)]


def test_an_unused_import_between_decorated_models_is_no_cycle(tmp_path):
    """sequelize-typescript models an agent wrote: `User.ts` imports `Follow` and never reads it (tsc
    drops the import; an ES module that reads nothing of another cannot see it half-loaded), and `Follow.ts`
    reads `User` only in `@ForeignKey(() => User)`: no cycle (a false AL104 before).  The same import read
    at load (`extends`) still closes one."""
    user = '''
        import { Table, Column, Model, HasMany } from 'sequelize-typescript';
        import { Follow } from './Follow.js';
        import { Post } from './Post.js';

        @Table
        export class User extends Model {
          @Column declare username: string;
          @HasMany(() => Post) declare posts: Post[];
        }
    '''
    follow = '''
        import { Table, Column, Model, ForeignKey } from 'sequelize-typescript';
        import { User } from './User.js';

        @Table
        export class Follow extends Model {
          @ForeignKey(() => User) @Column declare followerId: number;
        }
    '''
    post = '''
        import { Table, Column, Model, ForeignKey } from 'sequelize-typescript';
        import { User } from './User.js';

        @Table
        export class Post extends Model {
          @ForeignKey(() => User) @Column declare authorId: number;
        }
    '''
    files = {
        "package.json": '{"type": "module", "dependencies": {"sequelize": "^6", "sequelize-typescript": "^2"}}',
        "src/models/User.ts": user,
        "src/models/Follow.ts": follow,
        "src/models/Post.ts": post,
    }
    assert _cycles(make_repo(tmp_path / "unused", files)) == []
    files["src/models/Follow.ts"] = follow.replace("export class Follow extends Model", "export class Follow extends User")
    assert _cycles(make_repo(tmp_path / "extends", files)) != []
