"""AL220 through a helper's trailing ``return None``: it stands for a lookup's missing row only on a path
that found that row missing.  open-webui's ``Chats.get_accessible_chat_by_id`` ends with ``return None``
after ``if shared and shared.chat.get('share_mode') == 'continue' …: return ChatModel.model_validate(chat)``
— on that fall-through the shared-chat row may exist (its mode said no), and the function never answers
the shared row, so its ``None`` is not the ``.first()`` of ``SharedChats.get_by_chat_id``; AL220 used to
name that lookup at ``chat.chat`` in ``utils/middleware.py:1504``.  The share helper's own
``if shared_chat: return …`` / ``return None`` keeps the report: its fall-through found no row."""

from __future__ import annotations

from tests.helpers import findings, make_repo

MODELS = '''\
from pydantic import BaseModel
from sqlalchemy import select, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.ext.asyncio import AsyncSession


class Base(DeclarativeBase):
    pass


class Chat(Base):
    __tablename__ = "chat"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    owner_id: Mapped[str] = mapped_column(String)
    body: Mapped[str] = mapped_column(String)


class Share(Base):
    __tablename__ = "share"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String)
    mode: Mapped[str] = mapped_column(String)


class ChatView(BaseModel):
    id: str
    owner_id: str
    body: str


class ShareView(BaseModel):
    id: str
    chat_id: str
    mode: str


class ShareStore:
    async def latest_for_chat(self, session: AsyncSession, chat_id: str):
        result = await session.execute(select(Share).filter_by(chat_id=chat_id).limit(1))
        share = result.scalars().first()
        if share:
            return ShareView.model_validate(share)
        return None


Shares = ShareStore()


class ChatStore:
    async def by_id(self, session: AsyncSession, chat_id: str):
        try:
            row = await session.get(Chat, chat_id)
            if row is None:
                return None
            return ChatView.model_validate(row)
        except Exception:
            return None

    async def visible_to(self, session: AsyncSession, chat: ChatView, user_id: str, share_id: str):
        if chat.owner_id == user_id:
            return ChatView.model_validate(chat)
        share = await Shares.latest_for_chat(session, share_id)
        if share and share.mode == "continue":
            return ChatView.model_validate(chat)
        return None


Chats = ChatStore()
'''

HANDLERS = '''\
from fastapi import FastAPI, HTTPException, Depends
from sqlalchemy.ext.asyncio import AsyncSession
from .models import Chats, Shares

app = FastAPI()


async def get_db() -> AsyncSession:
    ...


@app.get("/chats/{chat_id}/body")
async def chat_body(chat_id: str, user_id: str, share_id: str, session: AsyncSession = Depends(get_db)):
    row = await Chats.by_id(session, chat_id)
    if row is None:
        raise HTTPException(404)
    chat = await Chats.visible_to(session, row, user_id, share_id)
    return {"body": chat.body}

'''

SHARE_ROUTE = '''

@app.get("/chats/{chat_id}/share")
async def share_mode(chat_id: str, session: AsyncSession = Depends(get_db)):
    share = await Shares.latest_for_chat(session, chat_id)
    return {"mode": share.mode}
'''


def _al220(tmp_path, extra: str = ""):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy==2.0.30\nasyncpg\npydantic\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/handlers.py": HANDLERS + extra,
    })
    return [(path, line) for rule, path, line in findings(root) if rule == "AL220"]


def test_a_trailing_none_past_a_check_that_may_have_found_the_row_is_not_that_lookups_none(tmp_path):
    """``chat`` is None when the share's mode says no, not because the share row is missing."""
    assert _al220(tmp_path) == []


def test_a_trailing_none_past_the_check_that_found_no_row_is_the_lookups_none(tmp_path):
    assert _al220(tmp_path, SHARE_ROUTE) == [("app/handlers.py", 25)]
