"""AL601 and coroutines run as tasks of their own (``archlint/semantics/tasks.py``).

open-webui 0.12 (models/messages.py ``delete_messages_by_parent_id``): ``for message in messages: await
publish_app_message_event(message, …)``, which hands ``send_app_message_event(…)`` — two queries — to the
project's ``create_task(redis, coroutine)`` wrapper (``task = asyncio.create_task(coroutine); tasks[task_id] =
task``).  Nothing waits for the task: the loop goes on at once, so its queries are not the loop's.  A task the
code does wait for — the spawn awaited, ``await task``, ``asyncio.gather(*tasks)``, a TaskGroup — stays one.
"""

from __future__ import annotations

from tests.helpers import OPEN_WEBUI_ASYNC_DB, findings, make_repo

FILES = {
    "requirements.txt": "sqlalchemy\naiosqlite\n",
    "app/__init__.py": "",
    "app/db.py": OPEN_WEBUI_ASYNC_DB,
    "app/models.py": """
        from sqlalchemy import Column, ForeignKey, Text
        from app.db import Base


        class Channel(Base):
            __tablename__ = "channel"
            id = Column(Text, primary_key=True)
            name = Column(Text)


        class Message(Base):
            __tablename__ = "message"
            id = Column(Text, primary_key=True)
            channel_id = Column(Text, ForeignKey("channel.id"))
            parent_id = Column(Text)
            content = Column(Text)
""",
    "app/tasks.py": """
        import asyncio
        from uuid import uuid4

        tasks: dict = {}


        async def create_task(coroutine, id=None):
            task_id = str(uuid4())
            task = asyncio.create_task(coroutine)
            task.add_done_callback(lambda t: tasks.pop(task_id, None))
            tasks[task_id] = task
            return task_id, task
""",
    "app/events.py": """
        import asyncio

        from sqlalchemy import select

        from app.db import get_async_db
        from app.models import Channel
        from app.tasks import create_task


        async def send_message_event(message_id: str, channel_id: str):
            async with get_async_db() as db:
                channel = await db.get(Channel, channel_id)
                if channel is None:
                    return
                await db.execute(select(Channel).where(Channel.name == channel.name))


        async def publish_message_event(message):
            await create_task(send_message_event(message.id, message.channel_id))


        async def notify_deleted(messages):
            for message in messages:
                asyncio.create_task(send_message_event(message.id, message.channel_id))
""",
}

DETACHED = """
        from sqlalchemy import delete, select

        from app.db import get_async_db
        from app.events import notify_deleted, publish_message_event
        from app.models import Message


        async def delete_thread(id: str):
            async with get_async_db() as db:
                messages = (await db.scalars(select(Message).filter_by(parent_id=id))).all()
                await db.execute(delete(Message).filter_by(parent_id=id))
                await db.commit()
                for message in messages:
                    await publish_message_event(message)
                await notify_deleted(messages)
                return True
"""

AWAITED = """
        import asyncio

        from sqlalchemy import select

        from app.db import get_async_db
        from app.events import send_message_event
        from app.models import Message
        from app.tasks import create_task


        async def awaited_spawn(id: str):
            async with get_async_db() as db:
                messages = (await db.scalars(select(Message).filter_by(parent_id=id))).all()
                for message in messages:
                    await asyncio.create_task(send_message_event(message.id, message.channel_id))


        async def awaited_task(id: str):
            async with get_async_db() as db:
                messages = (await db.scalars(select(Message).filter_by(parent_id=id))).all()
                for message in messages:
                    task = asyncio.create_task(send_message_event(message.id, message.channel_id))
                    await task


        async def gathered(id: str):
            async with get_async_db() as db:
                messages = (await db.scalars(select(Message).filter_by(parent_id=id))).all()
                pending = []
                for message in messages:
                    pending.append(asyncio.create_task(send_message_event(message.id, message.channel_id)))
                await asyncio.gather(*pending)


        async def task_group(id: str):
            async with get_async_db() as db:
                messages = (await db.scalars(select(Message).filter_by(parent_id=id))).all()
                async with asyncio.TaskGroup() as group:
                    for message in messages:
                        group.create_task(send_message_event(message.id, message.channel_id))


        async def wrapper_awaited(id: str):
            async with get_async_db() as db:
                messages = (await db.scalars(select(Message).filter_by(parent_id=id))).all()
                for message in messages:
                    _, task = await create_task(send_message_event(message.id, message.channel_id))
                    await task


        async def plain(id: str):
            async with get_async_db() as db:
                messages = (await db.scalars(select(Message).filter_by(parent_id=id))).all()
                for message in messages:
                    await send_message_event(message.id, message.channel_id)
"""


def _al601(tmp_path, service: str):
    root = make_repo(tmp_path, {**FILES, "app/service.py": service})
    return [f for f in findings(root) if f[0] == "AL601"]


def test_a_task_nothing_waits_for_runs_outside_the_loop(tmp_path):
    """Through the project's spawning wrapper (``await create_task(send(…))``, its result dropped) and
    ``asyncio.create_task(send(…))`` itself, neither awaited."""
    assert _al601(tmp_path, DETACHED) == []


def test_a_task_the_code_waits_for_stays_in_the_loop(tmp_path):
    """``await asyncio.create_task(…)``, ``t = …; await t``, ``tasks.append(…)`` then ``gather``, a
    TaskGroup's ``create_task``, the wrapper's task awaited, and the plain ``await send(…)``."""
    assert _al601(tmp_path, AWAITED) == [
        ("AL601", "app/service.py", 15), ("AL601", "app/service.py", 22), ("AL601", "app/service.py", 31),
        ("AL601", "app/service.py", 40), ("AL601", "app/service.py", 47), ("AL601", "app/service.py", 55),
    ]
