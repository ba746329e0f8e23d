"""advanced-alchemy repositories and services (Litestar / FastAPI apps built on them): a project
``SQLAlchemyAsyncRepository[Model]`` subclass (``model_type = Model``) and a
``SQLAlchemyAsyncRepositoryService`` subclass (``repository_type = …``) are DB handles bound to that
model (``semantics.toml`` ``bound_models``): their methods are queries, per row in a loop an N+1
(AL601), ``get_one_or_none`` a nullable lookup (AL220) while ``get``/``get_one`` raise, their rows
async (AL209) unless ``load=`` / ``loader_options`` / a provider's ``load=`` load the relation.  Models on
advanced-alchemy's bases need no ``__tablename__``."""

from __future__ import annotations

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, run_verify
from helpers import findings, make_repo

_MODELS = """
from advanced_alchemy.base import UUIDAuditBase
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Author(UUIDAuditBase):
    name: Mapped[str]


class Book(UUIDAuditBase):
    title: Mapped[str]
    author_id: Mapped[str] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author] = relationship()
"""

_SERVICES = """
from advanced_alchemy import repository, service

from app.models import Author, Book


class BookRepository(repository.SQLAlchemyAsyncRepository[Book]):
    model_type = Book


class BookService(service.SQLAlchemyAsyncRepositoryService[Book]):
    repository_type = BookRepository{extra}

    async def title_of(self, book_id):
        book = await self.get(book_id)
        return book.title


class AuthorService(service.SQLAlchemyAsyncRepositoryService[Author]):
    class Repo(repository.SQLAlchemyAsyncRepository[Author]):
        model_type = Author

    repository_type = Repo

    async def name_of(self, author_id):
        author = await self.repository.get_one_or_none(id=author_id)
        return author.name if author else ""
"""

_ROUTES = """
from typing import Any

from litestar import Controller, get
from litestar.di import Provide

from app.services import AuthorService, BookService


async def provide_books(db_session) :
    async with BookService.new(session=db_session) as service:
        yield service


class BookController(Controller):
    path = "/books"
    dependencies = {"books": Provide(provide_books)}

    @get("/")
    async def list_books(self, books: BookService, authors: AuthorService) -> list[dict[str, Any]]:
        out = []
        for book in await books.list():
            out.append({"title": book.title, "author": await authors.name_of(book.author_id)})
        return out

    @get("/{book_id:str}")
    async def get_book(self, books: BookService, book_id: str) -> dict[str, Any]:
        book = await books.get(book_id)
        return {"title": book.title, "author": book.author.name}

    @get("/by-title/{title:str}")
    async def by_title(self, books: BookService, title: str) -> dict[str, Any]:
        book = await books.get_one_or_none(title=title)
        return {"title": book.title}

    @get("/checked/{title:str}")
    async def checked(self, books: BookService, title: str) -> dict[str, Any]:
        book = await books.get_one_or_none(title=title)
        if book is None:
            return {}
        return {"title": book.title, "n": await books.count()}
"""


def _app(tmp_path, extra: str = "", routes: str = _ROUTES) -> list[tuple[str, str, int]]:
    files = {"requirements.txt": "litestar\nadvanced-alchemy\nasyncpg\n", "app/__init__.py": "",
             "app/models.py": _MODELS, "app/services.py": _SERVICES.replace("{extra}", extra), "app/routes.py": routes}
    return [f for f in findings(make_repo(tmp_path, files)) if f[0] not in ("AL304",)]


def test_service_queries_per_row_lazy_rows_and_unchecked_lookups(tmp_path):
    assert _app(tmp_path) == [
        ("AL601", "app/routes.py", 22),  # authors.name_of(): a get_one_or_none per book, one call away
        ("AL209", "app/routes.py", 28),  # book.author on an async service's row that loaded nothing
        ("AL220", "app/routes.py", 33),  # get_one_or_none unchecked (get/get_one raise: never judged)
    ]


def test_loader_options_on_the_service_load_the_relation(tmp_path):
    extra = "\n    loader_options = [Book.author]"
    assert [f for f in _app(tmp_path, extra) if f[0] == "AL209"] == []


def test_a_provider_with_load_loads_the_relation_of_a_typed_parameter(tmp_path):
    routes = _ROUTES.replace("BookService.new(session=db_session)", "BookService.new(session=db_session, load=[Book.author])")
    routes = routes.replace("from app.services import", "from app.models import Book\nfrom app.services import")
    assert [f for f in _app(tmp_path, routes=routes) if f[0] == "AL209"] == []


def test_load_on_the_call_loads_the_relation(tmp_path):
    routes = _ROUTES.replace("book = await books.get(book_id)", "book = await books.get(book_id, load=[selectinload(Book.author)])")
    routes = routes.replace("from app.services import", "from sqlalchemy.orm import selectinload\nfrom app.models import Book\nfrom app.services import")
    assert [f for f in _app(tmp_path, routes=routes) if f[0] == "AL209"] == []


def test_verify_counts_service_queries_as_orm_queries_on_auto_named_models(tmp_path):
    files = {"requirements.txt": "litestar\nadvanced-alchemy\nasyncpg\n", "app/__init__.py": "",
             "app/models.py": _MODELS, "app/services.py": _SERVICES.replace("{extra}", ""), "app/routes.py": _ROUTES,
             "app/main.py": """
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar

from app.routes import BookController

app = Litestar(route_handlers=[BookController], plugins=[SQLAlchemyPlugin(config=SQLAlchemyAsyncConfig(
    connection_string="postgresql+asyncpg://u:p@db/books", create_all=True))])
"""}
    root = make_repo(tmp_path, files)
    report = run_verify(str(root), Constraints(framework="litestar", orm="sqlalchemy"), options=Options(use_cache=False))
    verdicts = {v.constraint: v for v in report.verdicts}
    assert verdicts["framework"].compliant, verdicts["framework"].reason
    assert verdicts["orm"].compliant, verdicts["orm"].reason
    assert "2 SQLAlchemy model(s)" in verdicts["orm"].reason


def test_rows_of_list_and_count_are_rows(tmp_path):
    routes = _ROUTES.replace("        for book in await books.list():",
                             "        rows, _total = await books.list_and_count()\n        for book in rows:")
    assert [f for f in _app(tmp_path, routes=routes) if f[0] == "AL601"] == [("AL601", "app/routes.py", 23)]


_REPOSITORY_METHODS = """
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import func, select

from app.models import Author, Book


class BookRepository(SQLAlchemyAsyncRepository[Book]):
    model_type = Book

    async def by_author_name(self, name):
        result = await self.session.execute(select(Book).join(Author).where(Author.name == name))
        return result.scalars().all()


class BookService(SQLAlchemyAsyncRepositoryService[Book]):
    repository_type = BookRepository

    async def author_names(self, name):
        return [book.author.name for book in await self.repository.by_author_name(name)]

    async def sizes(self):
        return {book.id: await self.repository.session.scalar(select(func.count()).where(Book.author_id == book.author_id))
                for book in await self.list()}
"""


def test_the_services_repository_is_the_project_class_and_its_session_a_session(tmp_path):
    files = {"requirements.txt": "litestar\nadvanced-alchemy\nasyncpg\n", "app/__init__.py": "",
             "app/models.py": _MODELS, "app/services.py": _REPOSITORY_METHODS}
    found = [f for f in findings(make_repo(tmp_path, files)) if f[0] != "AL304"]
    assert found == [("AL209", "app/services.py", 20), ("AL601", "app/services.py", 23)]


_BY_NAME = """
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Controller, Litestar, get
from litestar.di import Provide
from sqlalchemy import select

from app.models import Book
from app.services import AuthorService, BookService


async def provide_books(db_session):
    return BookService(session=db_session)


async def provide_authors(db_session):
    async with AuthorService.new(session=db_session) as service:
        yield service


class BookController(Controller):
    dependencies = {"books": Provide(provide_books)}

    @get("/books")
    async def list_books(self, books, authors) -> list:
        return [{"title": b.title, "author": await authors.name_of(b.author_id)} for b in await books.list()]

    @get("/raw")
    async def raw(self, db_session) -> list:
        return [b.author.name for b in await db_session.scalars(select(Book))]


app = Litestar(route_handlers=[BookController], dependencies={"authors": Provide(provide_authors)},
               plugins=[SQLAlchemyPlugin(config=SQLAlchemyAsyncConfig(connection_string="sqlite+aiosqlite:///b.db", create_all=True))])
"""


def test_litestar_injects_by_parameter_name(tmp_path):
    """Unannotated handler parameters: `books` from the Controller's `dependencies`, `authors` from the
    app's, `db_session` from advanced-alchemy's plugin (an AsyncSession under SQLAlchemyAsyncConfig)."""
    assert _app(tmp_path, routes=_BY_NAME) == [("AL601", "app/routes.py", 24), ("AL209", "app/routes.py", 28)]


_WRITES = """
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar, post

from app.models import Book
from app.services import BookService


@post("/books")
async def create_book(books: BookService, data: dict) -> dict:
    book = await books.create(Book(title=data["title"], author_id=data["author_id"]){call}
    return {"id": book.id}


app = Litestar(route_handlers=[create_book],
               plugins=[SQLAlchemyPlugin(config=SQLAlchemyAsyncConfig(connection_string="sqlite+aiosqlite:///b.db"{config}))])
"""


def test_a_write_the_plugin_never_commits(tmp_path):
    """The Litestar plugin's default before_send_handler closes the request's session without committing."""
    routes = _WRITES.replace("{call}", ")").replace("{config}", "")
    assert [f for f in _app(tmp_path, routes=routes) if f[0] == "AL206"] == [("AL206", "app/routes.py", 10)]


def test_auto_commit_or_an_autocommit_plugin_commits(tmp_path):
    for call, config in ((", auto_commit=True)", ""), (")", ', before_send_handler="autocommit"')):
        root = tmp_path / str(len(call))
        routes = _WRITES.replace("{call}", call).replace("{config}", config)
        assert [f for f in _app(root, routes=routes) if f[0] == "AL206"] == [], (call, config)


def test_providers_in_a_module_loaded_late_do_not_break_the_index(tmp_path):
    """Resolving a provider imported from a module the analysis has not loaded yet loads it while the
    name-injection index walks the modules (litestar-users crashed with 'dictionary changed size')."""
    files = {"app/__init__.py": "", "app/deps.py": "def provide_limit() -> int:\n    return 10\n",
             "app/routes.py": """
from litestar import Controller, Litestar, get
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from app.deps import provide_limit


class Things(Controller):
    dependencies = {"limit": Provide(provide_limit)}

    @get("/things")
    async def things(self, db_session: AsyncSession, limit) -> list:
        return []


app = Litestar(route_handlers=[Things])
"""}
    assert findings(make_repo(tmp_path, files)) == []


def test_services_made_with_auto_commit_commit_every_write(tmp_path):
    routes = _WRITES.replace("{call}", ")").replace("{config}", "").replace(
        "@post(\"/books\")", "async def provide_books(db_session):\n    async with BookService.new(session=db_session, auto_commit=True) as service:\n        yield service\n\n\n@post(\"/books\")")
    assert [f for f in _app(tmp_path, routes=routes) if f[0] == "AL206"] == []
