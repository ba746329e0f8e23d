"""Clients and repositories extended by the ORM's own API stay the handle they extend: Prisma's
``new PrismaClient().$extends({...})`` is the client (its queries are still queries)."""

from __future__ import annotations

from helpers import findings, make_repo

SCHEMA = """
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id       Int       @id @default(autoincrement())
  username String    @unique
  articles Article[]
}

model Article {
  id       Int    @id @default(autoincrement())
  slug     String @unique
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
}
"""


def test_prisma_extends_is_still_the_client(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "@prisma/client": "^5"}, "devDependencies": {"prisma": "^5"}}',
        "prisma/schema.prisma": SCHEMA,
        "src/db.ts": """
            import { PrismaClient } from '@prisma/client';
            export const prisma = new PrismaClient().$extends({
              result: { user: { handle: { needs: { username: true }, compute: (u) => `@${u.username}` } } },
            });
        """,
        "src/routes.ts": """
            import { Router } from 'express';
            import { prisma } from './db';
            const router = Router();
            router.get('/articles', async (req, res) => {
              const articles = await prisma.article.findMany({ orderBy: { id: 'desc' }, take: 20 });
              const out = [];
              for (const a of articles) {
                out.push({ ...a, author: await prisma.user.findUnique({ where: { id: a.authorId } }) });
              }
              res.json(out);
            });
            router.get('/articles/:slug', async (req, res) => {
              const article = await prisma.article.findUnique({ where: { slug: req.params.slug } });
              res.json({ title: article.title });
            });
            export default router;
        """,
    })
    assert findings(root) == [("AL601", "src/routes.ts", 8), ("AL220", "src/routes.ts", 14)]
