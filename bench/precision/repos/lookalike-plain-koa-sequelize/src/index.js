import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { sequelize } from './db/index.js';

const app = new Koa();
app.use(bodyParser());

for (const name of ['articles', 'users']) {
  const { default: router } = await import(`./routes/${name}.js`);
  app.use(router.routes()).use(router.allowedMethods());
}

await sequelize.sync();
app.listen(3000);
