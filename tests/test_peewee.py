"""Peewee in the semantic model: the shapes of peewee's own examples that the fixture pair
(fixtures/agent-flask-peewee-*) does not hold — `from peewee import *`, a self-referential tree
prefetched through aliases, a query per row of a loop."""

from __future__ import annotations

from helpers import findings, make_repo

_STAR_APP = '''
    from flask import Flask, jsonify
    from peewee import *

    app = Flask(__name__)
    database = SqliteDatabase("notes.db")


    class BaseModel(Model):
        class Meta:
            database = database


    class Writer(BaseModel):
        name = CharField(unique=True)


    class Note(BaseModel):
        writer = ForeignKeyField(Writer, backref="notes")
        text = TextField()


    @app.get("/notes")
    def notes():
        return jsonify([{"text": n.text, "by": n.writer.name} for n in Note.select()])
'''


def test_a_star_import_of_peewee_binds_its_model_and_fields(tmp_path):
    # `from peewee import *` (every example of peewee's sdist): Model and ForeignKeyField are peewee's, so the
    # writer read per note is a lazy load
    root = make_repo(tmp_path, {"requirements.txt": "flask\npeewee\n", "app.py": _STAR_APP})
    assert findings(root) == [("AL603", "app.py", 24)]


def test_a_star_import_of_a_project_module_is_not_peewee(tmp_path):
    # the same names from a project module of the app's own (no peewee behind them): nothing is known of them
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\n",
        "orm.py": '''
            class Model:
                pass


            def CharField(**kw):
                return None


            def TextField(**kw):
                return None


            def ForeignKeyField(target, **kw):
                return None


            def SqliteDatabase(path):
                return None
        ''',
        "app.py": _STAR_APP.replace("from peewee import *", "from orm import *"),
    })
    assert findings(root) == []


def test_a_prefetched_tree_through_aliases_loads_its_children(tmp_path):
    # peewee's adjacency_list example: `prefetch(roots, C, (G, C))` with `C = Node.alias()` loads children a few
    # levels down; archlint cannot place the aliases, so the prefetch may have loaded any relation
    root = make_repo(tmp_path, {
        "requirements.txt": "peewee\n",
        "tree.py": '''
            from peewee import ForeignKeyField, Model, SqliteDatabase, TextField, prefetch

            db = SqliteDatabase(":memory:")


            class Node(Model):
                name = TextField()
                parent = ForeignKeyField("self", backref="children", null=True)

                class Meta:
                    database = db


            def names():
                C = Node.alias()
                G = Node.alias()
                out = []
                for root in prefetch(Node.select().where(Node.parent.is_null()), C, (G, C)):
                    out.append([child.name for child in root.children])
                return out


            def names_per_row():
                out = []
                for root in Node.select().where(Node.parent.is_null()):
                    out.append([child.name for child in root.children])
                return out
        ''',
    })
    assert findings(root) == [("AL601", "tree.py", 26)]


_FLASKDB_APP = '''
    from flask import Flask, jsonify, request
    from peewee import CharField, ForeignKeyField, TextField
    from playhouse.flask_utils import FlaskDB

    app = Flask(__name__)
    app.config["DATABASE"] = "sqlite:///shelf.db"
    flask_db = FlaskDB(app)
    database = flask_db.database


    class Shelf(flask_db.Model):
        title = CharField(unique=True)


    class Book(flask_db.Model):
        shelf = ForeignKeyField(Shelf, backref="books")
        name = TextField()


    @app.post("/shelves")
    def add_shelf():
        data = request.get_json()
        WRAP
        shelf = Shelf.create(title=data["title"])
        Book.create(shelf=shelf, name=data["first"])
        return jsonify({"id": shelf.id}), 201
'''


def test_writes_outside_a_flaskdb_database_atomic_block(tmp_path):
    # playhouse.flask_utils.FlaskDB: `flask_db.Model` is the models' base, `flask_db.database` the Database
    root = make_repo(tmp_path, {"requirements.txt": "flask\npeewee\n",
                                "app.py": _FLASKDB_APP.replace("        WRAP\n", "")})
    assert findings(root) == [("AL305", "app.py", 23)]


def test_writes_inside_a_flaskdb_database_atomic_block(tmp_path):
    text = _FLASKDB_APP.replace("        WRAP\n", "        with database.atomic():\n").replace(
        '        shelf = Shelf.create(title=data["title"])\n        Book.create(shelf=shelf, name=data["first"])\n',
        '            shelf = Shelf.create(title=data["title"])\n            Book.create(shelf=shelf, name=data["first"])\n')
    root = make_repo(tmp_path, {"requirements.txt": "flask\npeewee\n", "app.py": text})
    assert findings(root) == []
