"""The Python lowering: real code shapes become the IR records the semantic model reads."""

from __future__ import annotations

import textwrap

import tree_sitter as ts
import tree_sitter_python as tsp

from archlint.adapters.frontends.python_ir import MAX_DEPTH, lower
from archlint.domain import ir
from archlint.domain.ir_format import dump_function, render

_PARSER = ts.Parser(ts.Language(tsp.language()))


def lowered(source: str) -> ir.ModuleIR:
    data = textwrap.dedent(source).encode()
    return lower(_PARSER.parse(data).root_node, data, "app/x.py")


def function(module: ir.ModuleIR, qualname: str) -> ir.Function:
    return next(f for f in module.functions if f.qualname == qualname)


def test_repository_method_with_query_chain_guard_and_session_block():
    module = lowered('''
        from sqlalchemy import select
        from app.models import Article as A

        class ArticleRepository:
            def __init__(self, session: AsyncSession):
                self.session = session

            async def get(self, slug: str, *, lock=False):
                stmt = select(A).where(A.slug == slug).options(selectinload(A.tags))
                if (article := (await self.session.scalars(stmt)).first()) is None:
                    raise NotFound(slug)
                async with self.session.begin():
                    self.session.add(A(title=f"copy of {article.title}", body="a" "b"))
                return article
    ''')
    get = function(module, "ArticleRepository.get")
    assert get.kind == "method" and get.is_async and get.cls == 0
    assert [(p.name, p.kind) for p in get.params] == [("self", "pos"), ("slug", "pos"), ("lock", "kwonly")]
    assert dump_function(get).splitlines()[1:] == [
        "  stmt = select(A).where((A.slug == slug)).options(selectinload(A.tags))",
        "  article = (await self.session.scalars(stmt)).first()",
        "  if (article is None):",
        "    raise NotFound(slug)",
        "  async with self.session.begin():",
        "    self.session.add(A(title=f`copy of {article.title}`, body='ab'))",
        "  return article",
    ]
    assert get.locals == {"stmt", "article"}
    assert get.scope_of("slug") == "param" and get.scope_of("A") == "outer"
    assert ("A", "app.models:Article") in module.bindings and ("select", "sqlalchemy:select") in module.bindings
    cls = module.classes[0]
    assert cls.name == "ArticleRepository" and len(cls.methods) == 2


def test_comprehension_clauses_become_nested_loops_with_their_conditions():
    module = lowered('''
        def titles(rows):
            return [t.name for a in rows if a.ok for t in a.tags]
    ''')
    loop = function(module, "titles").body[0].value
    assert type(loop) is ir.Loop and loop.kind == "comprehension" and render(loop.iter) == "rows"
    assert [render(c) for c in loop.conditions] == ["a.ok"]
    inner = loop.result
    assert type(inner) is ir.Loop and render(inner.iter) == "a.tags" and render(inner.result) == "t.name"


def test_fastapi_route_parameters_keep_annotations_and_depends_defaults():
    module = lowered('''
        @router.get("/articles/{slug}")
        async def read(slug: str, db: Annotated[Session, Depends(get_db)], user: User | None = Depends(current_user)):
            return service.read(db, slug)
    ''')
    read = function(module, "read")
    assert [render(d) for d in read.decorators] == ["router.get('/articles/{slug}')"]
    params = {p.name: p for p in read.params}
    assert render(params["db"].annotation) == "Annotated[(Session, Depends(get_db))]"
    assert render(params["user"].annotation) == "(User | None)" and render(params["user"].default) == "Depends(current_user)"


def test_class_fields_keep_relationships_and_nested_meta():
    module = lowered('''
        class Article(models.Model):
            author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="articles")
            tags: Mapped[list["Tag"]] = relationship(secondary=article_tags)

            class Meta:
                ordering = ["-created"]

            def __str__(self):
                return self.title
    ''')
    article = module.classes[0]
    assert [f.name for f in article.fields] == ["author", "tags"]
    assert render(article.fields[0].value) == "models.ForeignKey(User, on_delete=models.CASCADE, related_name='articles')"
    assert render(article.fields[1].annotation) == "Mapped[list['Tag']]"
    assert module.classes[article.nested[0]].name == "Meta"
    assert module.functions[article.methods[0]].qualname == "Article.__str__"


def test_strings_are_cooked_and_folded_templates_keep_their_holes():
    module = lowered('''
        a = "SELECT *\\tFROM t " "WHERE id = ?"
        b = r"\\d+"
        c = "x" + "y"
        d = f"SELECT {cols} FROM {TABLE} WHERE id = {{1}}"
    ''')
    values = {stmt.targets[0].id: stmt.value for stmt in module.module.body}
    assert values["a"] == ir.Const("SELECT *\tFROM t WHERE id = ?", values["a"].span)
    assert values["b"].value == "\\d+" and values["c"].value == "xy"
    assert values["d"].strings == ("SELECT ", " FROM ", " WHERE id = {1}") and [render(h) for h in values["d"].holes] == ["cols", "TABLE"]


def test_match_try_with_and_global_are_lowered():
    module = lowered('''
        def f(x):
            global engine
            engine = make()
            try:
                with open(x) as fh, lock:
                    pass
            except (OSError, ValueError) as error:
                raise Failed() from error
            finally:
                close()
            match x:
                case 1:
                    return 1
                case _:
                    return 2
    ''')
    f = function(module, "f")
    assert "engine" in f.globals and f.scope_of("engine") == "outer"
    kinds = [type(s).__name__ for s in f.body]
    assert kinds == ["Assign", "Try", "ExprStmt", "If"]
    handler = f.body[1].handlers[0]
    assert handler.name == "error" and render(handler.types) == "(OSError, ValueError)"
    assert [render(item.context) for item in f.body[1].body[0].items] == ["open(x)", "lock"]


def test_deep_nesting_is_bounded_not_a_recursion_error():
    source = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\ny = [" * 1 + "]"
    module = lowered(source)
    assert module.truncated
    assert MAX_DEPTH < 1000


def test_syntax_errors_keep_the_calls_around_them():
    module = lowered('''
        def f(session):
            session.execute(text("DELETE FROM t"))
            if x ==
            session.commit()
    ''')
    f = function(module, "f")
    calls = [render(c.func) for c in ir.calls_in(f.body)]
    assert "session.execute" in calls


def test_shape_is_the_same_expression_written_anywhere_and_tells_different_ones_apart():
    """``ir.shape``: the structural key of an expression (calls.statement_filter keys a statement's
    filter with it) — spans dropped, names, operators and literals (with their types) kept."""
    module = lowered('''
        def one(session, row):
            a = select(A).where(A.flow_id == row.flow_id, A.name == "x")

        def two(session, row):
            if row:
                b = select(A).where(A.flow_id == row.flow_id, A.name == "x")
            c = select(A).where(A.flow_id == row.flow_id, A.name == "y")
            d = select(A).where(A.flow_id == row.id, A.name == "x")
            e = select(A).where(A.flow_id == row.flow_id, A.name == 1)
            f = select(A).where(A.flow_id == row.flow_id, A.name == True)
    ''')
    calls = {}
    for fn in module.functions:
        for node in ir.iter_nodes(fn.body):
            if type(node) is ir.Assign and type(node.value) is ir.Call:
                calls[node.targets[0].id] = node.value
    shapes = {name: ir.shape(value.args) for name, value in calls.items()}
    assert calls["a"].span != calls["b"].span and shapes["a"] == shapes["b"]
    assert len({shapes[name] for name in "acdef"}) == 5  # another literal, attribute, literal type
    assert repr(shapes["a"]) == repr(ir.shape(calls["b"].args))
    hash(shapes["a"])


def test_query_chain_keys_a_queryset_by_its_structure_not_its_rendered_text():
    """``support.query_chain``: the key under which ``if qs.exists():`` is known of a later ``qs.last()``.
    The same chain written twice is one key; chains that rendered text would merge (a comprehension's
    element or filter, a slice's bounds) are different queries."""
    from types import SimpleNamespace

    from archlint.adapters import knowledge
    from archlint.semantics.library import Library
    from archlint.semantics.support import query_chain

    module = lowered('''
        def one(order, xs):
            a = order.invoices.filter(id__in=[x.id for x in xs]).order_by("n")

        def two(order, xs):
            if xs:
                b = order.invoices.filter(id__in=[x.id for x in xs]).order_by("n")
            c = order.invoices.filter(id__in=[x.pk for x in xs]).order_by("n")
            d = order.invoices.filter(id__in=[x.id for x in xs if x.paid]).order_by("n")
            e = order.invoices.filter(id__in=xs[1:2]).order_by("n")
            f = order.invoices.filter(id__in=xs[2:3]).order_by("n")
            g = order.invoices
            h = order.invoices.filter(id__in=xs).count()
    ''')
    program = SimpleNamespace(library=Library(knowledge.load_knowledge()))
    keys = {}
    for fn in module.functions:
        for node in ir.iter_nodes(fn.body):
            if type(node) is ir.Assign:
                keys[node.targets[0].id] = query_chain(program, node.value)
    assert keys["a"] is not None and keys["a"] == keys["b"]
    assert len({keys[name] for name in "acdef"}) == 5
    assert keys["g"] == "order.invoices" and keys["h"] is None  # count() builds no queryset
