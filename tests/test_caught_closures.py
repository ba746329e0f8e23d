"""AL220 in a function every caller calls inside a ``try`` whose handler catches the error a None
dereference raises: a closure defined and called inside ``try: … except Exception:`` (open-webui's
``delete_folder_by_id_and_user_id`` with its recursive ``delete_children``) reads a possibly-missing row,
but the ``AttributeError`` ends in the caller's handler like a read written inline there.  A closure also
called outside the ``try`` — or a function whose callers are not all known — keeps the report."""

from __future__ import annotations

from tests.helpers import findings, make_repo, sqlalchemy_db_module

MODELS = sqlalchemy_db_module("""
    class Folder(Base):
        __tablename__ = "folder"
        id: Mapped[str] = mapped_column(String, primary_key=True)
        parent_id: Mapped[str] = mapped_column(String, nullable=True)
        user_id: Mapped[str] = mapped_column(String)
        name: Mapped[str] = mapped_column(String)
""")

FOLDERS = """
    import logging

    from sqlalchemy import select

    from app.db import Folder, SessionLocal

    log = logging.getLogger(__name__)


    class FolderTable:
        def children_of(self, parent_id, user_id, db):
            return db.execute(select(Folder).filter_by(parent_id=parent_id, user_id=user_id)).scalars().all()

        def delete_folder(self, id, user_id):
            try:
                folder_ids = []
                with SessionLocal() as db:
                    folder = db.execute(select(Folder).filter_by(id=id, user_id=user_id)).scalars().first()
                    if not folder:
                        return folder_ids
                    folder_ids.append(folder.id)

                    def delete_children(folder):
                        for folder_child in self.children_of(folder.id, user_id, db):
                            delete_children(folder_child)
                            folder_ids.append(folder_child.id)
                            child = db.execute(select(Folder).filter_by(id=folder_child.id, user_id=user_id)).scalars().first()
                            log.info("deleting %s", child.name)
                            db.delete(child)
                            db.commit()

                    delete_children(folder)
                    db.delete(folder)
                    db.commit()
                    return folder_ids
            except Exception as e:
                log.error(f"delete_folder: {e}")
                return []
    # EXTRA

    Folders = FolderTable()
"""

OUTSIDE = """
        def rename_children(self, id, user_id, name):
            with SessionLocal() as db:
                def rename(parent_id):
                    for folder_child in self.children_of(parent_id, user_id, db):
                        child = db.execute(select(Folder).filter_by(id=folder_child.id, user_id=user_id)).scalars().first()
                        child.name = name
                    db.commit()

                if not name.strip():
                    rename(id)
                    return True
                try:
                    rename(id)
                    return True
                except Exception as e:
                    log.error(f"rename_children: {e}")
                    return False
"""


def _al220(tmp_path, extra: str = ""):
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy==2.0.30\n",
        "app/__init__.py": "",
        "app/db.py": MODELS,
        "app/folders.py": FOLDERS.replace("    # EXTRA", extra),
    })
    return [(path, line) for rule, path, line in findings(root) if rule == "AL220"]


def test_a_closure_called_only_inside_the_try_is_caught_there(tmp_path):
    assert _al220(tmp_path) == []


def test_a_closure_also_called_outside_the_try_is_reported(tmp_path):
    assert _al220(tmp_path, OUTSIDE) == [("app/folders.py", 45)]


INLINE = """
        def folder_names(self, id):
            try:
                with SessionLocal() as db:
                    folder = db.execute(select(Folder).filter_by(id=id)).scalars().first()
                    return [folder.name]
            except Exception as e:
                log.error(f"folder_names: {e}")
                return %s
"""


def test_a_catch_all_answering_an_empty_list_catches_an_inline_read(tmp_path):
    """``except Exception: return []`` is the not-found answer of a function that lists, like ``return None``."""
    assert _al220(tmp_path, INLINE % "[]") == []


def test_a_catch_all_answering_a_computed_value_does_not(tmp_path):
    assert _al220(tmp_path, INLINE % "[id]") == [("app/folders.py", 44)]
