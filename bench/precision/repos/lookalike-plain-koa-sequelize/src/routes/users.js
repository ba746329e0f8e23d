import Router from '@koa/router';
import jwt from 'jsonwebtoken';
import { User } from '../models/index.js';

const router = new Router({ prefix: '/api' });
const SECRET = process.env.JWT_SECRET || 'conduit-secret';

router.post('/users', async (ctx) => {
  const { username, email, password } = ctx.request.body.user || {};
  const user = await User.create({ username, email, password });
  ctx.body = { user: { username: user.username, email: user.email, token: jwt.sign({ id: user.id }, SECRET) } };
});

export default router;
