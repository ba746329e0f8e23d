import Router from '@koa/router';
import { Article, User } from '../models/index.js';

const router = new Router({ prefix: '/api' });

router.get('/articles', async (ctx) => {
  const limit = Number(ctx.query.limit) || 20;
  const offset = Number(ctx.query.offset) || 0;
  const { rows, count } = await Article.findAndCountAll({
    include: [{ model: User, as: 'author', attributes: ['username', 'bio'] }],
    order: [['createdAt', 'DESC']],
    limit,
    offset,
    distinct: true,
  });
  ctx.body = { articles: rows, articlesCount: count };
});

router.get('/articles/:slug', async (ctx) => {
  const article = await Article.findOne({ where: { slug: ctx.params.slug }, include: [{ model: User, as: 'author' }] });
  if (!article) {
    ctx.status = 404;
    ctx.body = { errors: { body: ['article not found'] } };
    return;
  }
  ctx.body = { article };
});

export default router;
