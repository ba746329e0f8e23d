"""AL502 holes whose value is fixed by its type or by the code: a parameter declared as a number or
a boolean (effect 4.1.5 SqlRunnerStorage.ts ``pid: number``), the keys of a module-level dict
literal (open-webui's ``for table_name, pk_columns in LEGACY_TABLES.items()``)."""

from __future__ import annotations

import pytest

from helpers import findings, make_repo

_PG = {"package.json": '{"name": "locks", "dependencies": {"pg": "^8"}}'}

_LOCKS_TS = """
import { Pool } from 'pg'

const pool = new Pool({ connectionString: process.env.DATABASE_URL })

export const heldLocks = async (pid: {type}, classId: number) => {
  const result = await pool.query(
    `SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = ${classId} AND pid = ${pid} ORDER BY objid`,
    []
  )
  return result.rows
}

export const heldLocksOf = (pids: ReadonlyArray<string>) =>
  Promise.all(pids.map(async function (pid: {type}) {
    return (await pool.query(`SELECT objid FROM pg_locks WHERE pid = ${pid}`)).rows
  }))
"""


def _al502(tmp_path, files):
    return [(path, line) for rule, path, line in findings(make_repo(tmp_path, files)) if rule == "AL502"]


def test_a_number_parameter_spliced_into_sql_is_no_injection(tmp_path):
    files = {**_PG, "src/locks.ts": _LOCKS_TS.replace("{type}", "number")}
    assert _al502(tmp_path, files) == []


def test_a_string_parameter_spliced_into_sql_still_fires(tmp_path):
    files = {**_PG, "src/locks.ts": _LOCKS_TS.replace("{type}", "string")}
    assert _al502(tmp_path, files) == [("src/locks.ts", 7), ("src/locks.ts", 15)]


_REPORTS_PY = """
import sqlite3


def recent_orders(conn: sqlite3.Connection, customer_id: {type}, limit: int = 20, archived: bool | None = None):
    return conn.execute(
        f"SELECT id, total FROM orders WHERE customer_id = {customer_id} AND archived = {bool(archived)} LIMIT {limit}"
    ).fetchall()


def open_orders(conn: sqlite3.Connection, customer_id: int, status):
    customer_id = status or customer_id
    return conn.execute(f"SELECT id FROM orders WHERE customer_id = {customer_id}").fetchall()
"""


def test_python_int_and_bool_parameters_spliced_into_sql_are_no_injection(tmp_path):
    files = {"requirements.txt": "fastapi\n", "app/reports.py": _REPORTS_PY.replace("{type}", "Optional[int]")}
    assert _al502(tmp_path, files) == [("app/reports.py", 12)]  # only the reassigned one


def test_a_python_str_parameter_spliced_into_sql_still_fires(tmp_path):
    files = {"requirements.txt": "fastapi\n", "app/reports.py": _REPORTS_PY.replace("{type}", "str")}
    assert _al502(tmp_path, files) == [("app/reports.py", 6), ("app/reports.py", 12)]


_MIGRATION = """
import sqlalchemy as sa
from alembic import op

LEGACY_TABLES = {
    'auth': ['id'],
    'chat': ['id'],
    'tag': ['id', 'user_id'],
}


def upgrade():
    conn = op.get_bind()
    for table_name, pk_columns in LEGACY_TABLES.items():
        conn.execute(sa.text(f'DROP TABLE IF EXISTS _alembic_tmp_{table_name}'))
    for table_name, pk_columns in dict(conn.execute(sa.text('SELECT name, pk FROM legacy')).all()).items():
        conn.execute(sa.text(f'DROP TABLE IF EXISTS _alembic_tmp_{table_name}'))
"""


def test_the_keys_of_a_module_dict_literal_are_fixed_identifiers(tmp_path):
    files = {"requirements.txt": "alembic\nsqlalchemy\n", "migrations/versions/461111b60977_keys.py": _MIGRATION}
    assert _al502(tmp_path, files) == [("migrations/versions/461111b60977_keys.py", 16)]  # names read from rows


_PARTICIPANTS = '''
from sqlalchemy import bindparam, text


class ChatTable:
    async def participant_ids(self, session, chat_ids: list[str], {signature}) -> dict[str, list[str]]:
        participants: dict[str, list[str]] = {{chat_id: [] for chat_id in chat_ids}}
        dialect = session.bind.dialect.name
        if dialect == 'sqlite':
            messages = "SELECT c.id AS chat_id, m.value AS message FROM chat AS c, json_each(c.chat, '$.messages') AS m"

            def author(path):
                return f"json_extract(message, '{{path}}')"

            author_id = f"COALESCE({{author({first})}}, {{author('$.user.id')}})"
        elif dialect == 'postgresql':
            messages = "SELECT c.id AS chat_id, m AS message FROM chat AS c, json_array_elements(c.chat->'messages') AS m"

            def author(path):
                """The author id at a JSON path of the message."""
                return f"message#>>'{{path}}'"

            author_id = f"COALESCE({{author({first})}}, {{author('{{user,id}}')}})"
        else:
            raise NotImplementedError(f'Unsupported dialect: {{dialect}}')

        query = text(f"""
            WITH messages AS ({{messages}})
            SELECT DISTINCT chat_id, {{author_id}} AS author_id FROM messages WHERE chat_id IN :chat_ids
        """).bindparams(bindparam('chat_ids', expanding=True))
        for chat_id, author_id in (await session.execute(query, {{'chat_ids': chat_ids}})).all():
            participants[chat_id].append(author_id)
        return participants
'''


def test_fragments_chosen_per_dialect_and_built_by_a_local_helper_from_literals_are_fixed(tmp_path):
    files = {
        "requirements.txt": "sqlalchemy\naiosqlite\n",
        "app/chats.py": _PARTICIPANTS.format(signature="db=None", first="'$.user_id'"),
    }
    assert _al502(tmp_path, files) == []


def test_the_same_helper_called_with_the_callers_argument_still_fires(tmp_path):
    files = {
        "requirements.txt": "sqlalchemy\naiosqlite\n",
        "app/chats.py": _PARTICIPANTS.format(signature="author_path: str = '$.user_id'", first="author_path"),
    }
    assert _al502(tmp_path, files) == [("app/chats.py", 28)]


_PRAGMA_MIGRATION = '''
import sqlalchemy as sa
from alembic import op


def {helper}(table_name, column_name, conn):
    indexes = conn.execute(sa.text(f"PRAGMA index_list('{{table_name}}')")).fetchall()
    return [idx[1] for idx in indexes if column_name in idx[1]]


def upgrade(extra_table=None):
    conn = op.get_bind()
    for col in ('api_key', 'oauth_sub'):
        {helper}({first}, col, conn)
    {helper}('user', 'info', conn)
'''


def test_a_private_helper_every_caller_passes_a_literal_to_is_fixed(tmp_path):
    files = {"requirements.txt": "alembic\nsqlalchemy\n",
             "migrations/versions/b10670c03dd5_update_user_table.py": _PRAGMA_MIGRATION.format(helper="_drop_indexes", first="'user'")}
    assert _al502(tmp_path, files) == []


def test_a_private_helper_one_caller_passes_a_parameter_to_still_fires(tmp_path):
    files = {"requirements.txt": "alembic\nsqlalchemy\n",
             "migrations/versions/b10670c03dd5_update_user_table.py": _PRAGMA_MIGRATION.format(helper="_drop_indexes", first="extra_table")}
    assert _al502(tmp_path, files) == [("migrations/versions/b10670c03dd5_update_user_table.py", 6)]


def test_a_public_helper_other_modules_may_call_still_fires(tmp_path):
    files = {"requirements.txt": "alembic\nsqlalchemy\n",
             "migrations/versions/b10670c03dd5_update_user_table.py": _PRAGMA_MIGRATION.format(helper="drop_indexes", first="'user'")}
    assert _al502(tmp_path, files) == [("migrations/versions/b10670c03dd5_update_user_table.py", 6)]


def test_a_private_helper_imported_by_another_module_still_fires(tmp_path):
    files = {"requirements.txt": "alembic\nsqlalchemy\n",
             "app/schema.py": _PRAGMA_MIGRATION.format(helper="_drop_indexes", first="'user'"),
             "app/cli.py": "import sys\nfrom app.schema import _drop_indexes\n_drop_indexes(sys.argv[1], 'x', None)\n"}
    assert _al502(tmp_path, files) == [("app/schema.py", 6)]


_COMPAT_DB = {
    "requirements.txt": "asyncpg\n",
    "app/db.py": """
        import asyncpg

        POSTGRES, SQLITE = "POSTGRES", "SQLITE"

        class Compat:
            type = POSTGRES

            @property
            def timestamp_now(self) -> str:
                if self.type == POSTGRES:
                    return "now()"
                return "(strftime('%s', 'now'))"

            @property
            def timestamp_default(self) -> str:
                if self.type == POSTGRES:
                    return self.timestamp_now
                return "NULL"

            @property
            def schema_name(self) -> str:
                return self.name

        class Connection(Compat):
            def __init__(self, conn: asyncpg.Connection, name: str) -> None:
                self.conn = conn
                self.name = name

            async def execute(self, query: str):
                return await self.conn.execute(query)
    """,
    "app/migrations.py": """
        from app.db import Connection

        async def m001_accounts(db: Connection):
            await db.execute(f"CREATE TABLE accounts (id TEXT PRIMARY KEY, created_at TIMESTAMP NOT NULL DEFAULT {db.timestamp_default})")
            await db.execute(f"UPDATE accounts SET created_at = {db.timestamp_now}")

        async def m002_schema(db: Connection):
            await db.execute(f"CREATE TABLE {db.schema_name}.audit (id TEXT PRIMARY KEY)")
    """,
}


def test_a_property_returning_only_literals_is_fixed_sql(tmp_path):
    """lnbits' ``Connection.timestamp_now``/``big_int``: ``@property`` getters returning one literal per
    dialect (or another such property of ``self``), spliced into migrations through a parameter
    annotated with the class (16 false AL502 before).  A property that returns a field is not fixed."""
    assert _al502(tmp_path, _COMPAT_DB) == [("app/migrations.py", 8)]


_N8N_MIGRATION = """
export class RenameTests1731582748663 {
  async up(context) {
    const { queryRunner, tablePrefix } = context;
    const table = `${tablePrefix}test_definition`;
    await queryRunner.query(`ALTER TABLE ${table} RENAME COLUMN id TO tmp_id`);
    await queryRunner.query(`DROP SEQUENCE IF EXISTS ${tablePrefix}test_definition_id_seq`);
    const [owner] = await queryRunner.query(`SELECT id FROM ${tablePrefix}user LIMIT 1`);
    await queryRunner.query(`UPDATE ${table} SET owner = '${owner.id}'`);
  }
}
"""


def test_a_migration_runners_context_is_configuration_not_input(tmp_path):
    """n8n's TypeORM migrations splice ``tablePrefix`` (from ``up({ queryRunner, tablePrefix })``, the
    DB_TABLE_PREFIX setting) into every statement: 713 AL502 on @n8n/db before, 105 after.  A value
    read from a row is still spliced data, and the same splice outside a migration still fires."""
    files = {
        "package.json": '{"name": "db", "dependencies": {"typeorm": "^0.3", "pg": "^8"}}',
        "src/migrations/postgresdb/1731582748663-RenameTests.ts": _N8N_MIGRATION,
        "src/repositories/tests.repository.ts": _N8N_MIGRATION.replace("RenameTests1731582748663", "TestsRepository").replace("async up(", "async rename("),
        "src/migrations/sqlite/1745322634000-CleanEvaluations.ts": (  # the context destructured in the parameter list
            "export class CleanEvaluations1745322634000 {\n"
            "  async up({ queryRunner, tablePrefix, escape }) {\n"
            "    await queryRunner.query(`DROP TABLE IF EXISTS ${tablePrefix}test_definition;`);\n"
            "    await queryRunner.query(`ALTER TABLE ${escape.tableName('user')} ADD COLUMN ${escape.columnName('role')} TEXT`);\n"
            "    const trigger = escape.triggerName('user_version_increment');\n"
            "    await queryRunner.query(`DROP TRIGGER IF EXISTS ${trigger}`);\n"
            "  }\n"
            "}\n"
        ),
    }
    found = _al502(tmp_path, files)
    assert [line for path, line in found if "migrations" in path] == [8]
    assert sorted(line for path, line in found if "repositories" in path) == [5, 6, 7, 8]


def test_a_local_arrow_around_a_driver_escape_quotes_its_names(tmp_path):
    # Vendure 3.6 migration utils: `const esc = (name) => queryRunner.connection.driver.escape(name)` and every
    # identifier written `${esc('asset')}`; a value read from a row is still spliced into a quoted literal
    files = {
        "package.json": '{"dependencies": {"typeorm": "^0.3.20"}}',
        "src/migrations/assets.js": (
            "async function migrate(queryRunner, table) {\n"
            "    const esc = (name) => queryRunner.connection.driver.escape(name);\n"
            "    const rows = await queryRunner.query(`SELECT ${esc('defaultLanguageCode')} FROM ${esc('channel')}`);\n"
            "    const code = rows[0].defaultLanguageCode;\n"
            "    await queryRunner.query(`UPDATE ${esc('asset')} SET ${esc('languageCode')} = '${code}'`);\n"
            "    const raw = (name) => name;\n"
            "    await queryRunner.query(`SELECT * FROM ${raw(table)}`);\n"
            "}\n"
            "module.exports = { migrate };\n"
        ),
    }
    assert [line for _path, line in _al502(tmp_path, files)] == [5, 7]


def test_names_mapped_through_a_driver_escape_are_quoted(tmp_path):
    # n8n export.service: `columnNames.map(this.dataSource.driver.escape).join(', ')` spliced as the column list
    files = {
        "package.json": '{"dependencies": {"typeorm": "^0.3.20"}}',
        "src/services/export.js": (
            "class ExportService {\n"
            "    constructor(dataSource) { this.dataSource = dataSource; }\n"
            "    async page(metadata, names) {\n"
            "        const columns = metadata.columns.map((col) => col.databaseName).map(this.dataSource.driver.escape).join(', ');\n"
            "        const table = this.dataSource.driver.escape(metadata.tableName);\n"
            "        await this.dataSource.query(`SELECT ${columns} FROM ${table} ORDER BY 1`);\n"
            "        await this.dataSource.query(`SELECT ${names.map(String).join(', ')} FROM ${table} ORDER BY 1`);\n"
            "    }\n"
            "}\n"
            "module.exports = { ExportService };\n"
        ),
    }
    assert [line for _path, line in _al502(tmp_path, files)] == [7]


@pytest.mark.parametrize("second_call, exported, lines", [
    ("await prune(knex, 'refresh_state');", "", []),  # every call passes a table name written in the code
    ("await prune(knex, req.query.table);", "", [4]),  # one passes request data
    ("await prune(knex, 'refresh_state');", "module.exports.prune = prune;", [4]),  # others may call it
])
def test_a_local_helper_parameter_every_call_passes_a_constant(tmp_path, second_call, exported, lines):
    # @backstage/plugin-catalog-backend 4.0 migration: batchDeleteOrphansPg(knex, 'final_entities')
    files = {
        "package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
        "src/prune.js": (
            "const knex = require('knex')({ client: 'pg' });\n"
            "async function prune(knex, refTable) {\n"
            "    await knex.raw(`DELETE FROM search WHERE entity_id NOT IN\n"
            "      (SELECT entity_id FROM \"${refTable}\")`);\n"
            "}\n"
            "async function run(req) {\n"
            "    await prune(knex, 'final_entities');\n"
            f"    {second_call}\n"
            "}\n"
            f"module.exports = {{ run }};\n{exported}\n"
        ),
    }
    assert [line for _path, line in _al502(tmp_path, files)] == lines


def test_a_method_that_returns_the_driver_escape_quotes_its_names(tmp_path):
    # @n8n/db repositories: getTableName(name) { …; return this.manager.connection.driver.escape(`${prefix}${name}`) }
    files = {
        "package.json": '{"dependencies": {"typeorm": "^0.3.20"}}',
        "src/repositories/outbox.repository.ts": (
            "import { DataSource, Repository } from 'typeorm';\n"
            "export class OutboxRepository extends Repository<object> {\n"
            "  constructor(dataSource: DataSource, private readonly prefix: string) { super(Object, dataSource.manager); }\n"
            "  async pending(limit: number) {\n"
            "    const table = this.getTableName('outbox');\n"
            "    await this.query(`SELECT * FROM ${table} ORDER BY id LIMIT $1`, [limit]);\n"
            "    await this.query(`SELECT * FROM ${this.plainName('outbox')} ORDER BY id LIMIT $1`, [limit]);\n"
            "  }\n"
            "  getTableName(name: string) {\n"
            "    const prefix = this.prefix;\n"
            "    return this.manager.connection.driver.escape(`${prefix}${name}`);\n"
            "  }\n"
            "  plainName(name: string) {\n"
            "    return `${this.prefix}${name}`;\n"
            "  }\n"
            "}\n"
        ),
    }
    assert [line for _path, line in _al502(tmp_path, files)] == [7]


def test_column_names_of_a_sqlalchemy_table_are_schema_identifiers(tmp_path):
    """advanced-alchemy's MSSQL merge: ``"[" + table.c[key].name.replace("]", "]]") + "]"`` joined into
    ``text(f"… AS src({col_names})")`` — names the Table declares, quoted; a ``.replace`` of a
    parameter still fires."""
    files = {
        "requirements.txt": "sqlalchemy\npsycopg2\n",
        "app/merge.py": """
from sqlalchemy import text


def source(conn, table, keys):
    quoted = ["[" + table.c[key].name.replace("]", "]]") + "]" for key in keys]
    cols = ", ".join(quoted)
    first = table.columns[keys[0]].name
    return conn.execute(text(f"SELECT {cols}, {first} FROM (VALUES (1)) AS src"))


def search2(conn, term):
    return conn.execute(text(f"SELECT id FROM t WHERE name = '{term.replace('x', 'y')}'"))
""",
    }
    assert _al502(tmp_path, files) == [("app/merge.py", 12)]


def test_a_constant_exported_by_a_required_project_module_is_fixed(tmp_path):
    """@n8n/db's outbox repository splices ``${workflow_publication_outbox_1.WorkflowPublicationOutboxStatus.Pending}``
    — a member of ``exports.WorkflowPublicationOutboxStatus = { Pending: 'pending', … }`` in the entity
    module it requires (TypeScript's CommonJS output, ``exports.A = exports.B = void 0`` first): fixed
    text (11 false AL502).  A member the module computes at run time still fires."""
    files = {
        "package.json": '{"dependencies": {"typeorm": "^0.3.20", "pg": "^8"}}',
        "lib/entities/outbox.js": (
            '"use strict";\n'
            "exports.Outbox = exports.OutboxStatus = exports.currentTenant = void 0;\n"
            "exports.OutboxStatus = {\n    Pending: 'pending',\n    Failed: 'failed',\n};\n"
            "exports.currentTenant = process.argv[2];\n"
            "class Outbox {}\nexports.Outbox = Outbox;\n"
        ),
        "lib/repositories/outbox.repository.js": (
            '"use strict";\n'
            'const outbox_1 = require("../entities/outbox");\n'
            "class OutboxRepository {\n"
            "    constructor(dataSource) { this.dataSource = dataSource; }\n"
            "    async pending(id) {\n"
            "        await this.dataSource.query(`UPDATE outbox SET status = '${outbox_1.OutboxStatus.Failed}' WHERE status = '${outbox_1.OutboxStatus.Pending}' AND id = $1`, [id]);\n"
            "        await this.dataSource.query(`SELECT * FROM outbox WHERE tenant = '${outbox_1.currentTenant}'`);\n"
            "    }\n"
            "}\n"
            "exports.OutboxRepository = OutboxRepository;\n"
        ),
    }
    assert _al502(tmp_path, files) == [("lib/repositories/outbox.repository.js", 7)]


def test_an_enum_member_another_package_exports_is_fixed(tmp_path):
    """@n8n/db's scheduled-task repository splices ``'${scheduled_task_1.ScheduledTaskStatus.Running}'`` — its entity
    module re-exports the enum from ``@n8n/constants`` the way tsc compiles ``export { X } from 'm'``
    (``Object.defineProperty(exports, "X", { enumerable: true, get: function () { return m_1.X; } })``), and a
    TypeScript service imports it directly: what another package exports is its code, not the request's
    data (2 false AL502).  A getter re-export of a project module's runtime value still fires, and so does a
    parameter that shadows the package's import name."""
    files = {
        "package.json": '{"dependencies": {"typeorm": "^0.3.20", "pg": "^8", "@acme/constants": "^1"}}',
        "lib/entities/task.js": (
            '"use strict";\n'
            'Object.defineProperty(exports, "__esModule", { value: true });\n'
            "exports.Task = exports.tenant = exports.TaskStatus = void 0;\n"
            'var constants_2 = require("@acme/constants");\n'
            'Object.defineProperty(exports, "TaskStatus", { enumerable: true, get: function () { return constants_2.TaskStatus; } });\n'
            'var context_1 = require("./context");\n'
            'Object.defineProperty(exports, "tenant", { enumerable: true, get: function () { return context_1.tenant; } });\n'
            "class Task {}\nexports.Task = Task;\n"
        ),
        "lib/entities/context.js": '"use strict";\nexports.tenant = process.argv[2];\n',
        "lib/repositories/task.repository.js": (
            '"use strict";\n'
            'const task_1 = require("../entities/task");\n'
            "class TaskRepository {\n"
            "    constructor(dataSource) { this.dataSource = dataSource; }\n"
            "    async claim(id) {\n"
            "        await this.dataSource.query(`UPDATE task SET status = '${task_1.TaskStatus.Running}' WHERE status = '${task_1.TaskStatus.Pending}' AND id = $1`, [id]);\n"
            "        await this.dataSource.query(`SELECT id FROM task WHERE tenant = '${task_1.tenant}'`);\n"
            "    }\n"
            "}\n"
            "exports.TaskRepository = TaskRepository;\n"
        ),
        "src/task.service.ts": (
            "import { DataSource } from 'typeorm';\n"
            "import { TaskStatus } from '@acme/constants';\n"
            "import * as constants from '@acme/constants';\n"
            "export class TaskService {\n"
            "  constructor(private readonly dataSource: DataSource) {}\n"
            "  async running() {\n"
            "    return this.dataSource.query(`SELECT id FROM task WHERE status = '${TaskStatus.Running}' OR status = '${constants.TaskStatus.Pending}'`);\n"
            "  }\n"
            "  async byStatus(constants: any) {\n"
            "    return this.dataSource.query(`SELECT id FROM task WHERE status = '${constants.TaskStatus}'`);\n"
            "  }\n"
            "}\n"
        ),
    }
    assert _al502(tmp_path, files) == [("lib/repositories/task.repository.js", 7), ("src/task.service.ts", 10)]


def test_a_method_called_without_an_argument_folds_with_its_default(tmp_path):
    """@n8n/db's scheduled-task repository: ``const claimable = this.claimableSql();`` where ``claimableSql(alias = '')``
    builds fixed SQL from its alias and a dialect helper — called bare, the parameter is its default ('' here),
    not an unknown (1 false AL502 at :227).  A method given the caller's value still fires, and so does one
    whose default is a runtime value."""
    files = {
        "package.json": '{"dependencies": {"typeorm": "^0.3.20", "pg": "^8"}}',
        "lib/dialect.js": (
            '"use strict";\nexports.nowLiteral = void 0;\n'
            "const nowLiteral = (pg) => (pg ? 'NOW()' : 'CURRENT_TIMESTAMP');\nexports.nowLiteral = nowLiteral;\n"
        ),
        "lib/task.repository.js": (
            '"use strict";\n'
            'const dialect_1 = require("./dialect");\n'
            "class TaskRepository {\n"
            "    constructor(dataSource, pg) { this.dataSource = dataSource; this.pg = pg; }\n"
            "    claimableSql(alias = '') {\n"
            "        return `(${alias}\"missedAfter\" IS NULL OR ${alias}\"missedAfter\" > ${(0, dialect_1.nowLiteral)(this.pg)})`;\n"
            "    }\n"
            "    async due() {\n"
            "        const claimable = this.claimableSql();\n"
            "        return this.dataSource.query(`SELECT COUNT(*) FILTER (WHERE ${claimable}) AS due FROM task`);\n"
            "    }\n"
            "    async byOwner(owner) {\n"
            "        return this.dataSource.query(`SELECT id FROM task WHERE ${this.ownerSql(owner)}`);\n"
            "    }\n"
            "    async mine() {\n"
            "        return this.dataSource.query(`SELECT id FROM task WHERE ${this.ownerSql()}`);\n"
            "    }\n"
            "    ownerSql(owner = process.argv[2]) {\n"
            "        return `owner = '${owner}'`;\n"
            "    }\n"
            "}\n"
            "exports.TaskRepository = TaskRepository;\n"
        ),
    }
    assert _al502(tmp_path, files) == [("lib/task.repository.js", 13), ("lib/task.repository.js", 16)]


def test_a_helper_another_project_module_defines_is_folded_at_the_call(tmp_path):
    """@n8n/db's scheduled-task repository splices ``${dbNowLiteral(this.isPostgres)}`` — a helper of its
    own dialect module that answers ``NOW()`` or ``CURRENT_TIMESTAMP``: fixed text, whatever the
    argument.  The helper's value is folded where it is called, its parameters bound to the arguments
    folded there, so a helper that quotes its argument still fires when the argument is the caller's
    input (an arrow assigned once, a ``function`` declaration, a Python ``def``)."""
    files = {
        "package.json": '{"dependencies": {"typeorm": "^0.3.20", "pg": "^8"}}',
        "src/dialect.ts": (
            "export const nowLiteral = (pg: boolean) => (pg ? 'NOW()' : 'CURRENT_TIMESTAMP');\n"
            "export function statusLiteral(pending: boolean): string {\n"
            "  if (pending) return \"'pending'\";\n"
            "  return \"'running'\";\n"
            "}\n"
            "export function quoted(value: string): string {\n"
            "  return `'${value}'`;\n"
            "}\n"
        ),
        "src/task.repository.ts": (
            "import { DataSource } from 'typeorm';\n"
            "import { nowLiteral, quoted, statusLiteral } from './dialect';\n"
            "export class TaskRepository {\n"
            "  constructor(private ds: DataSource, private pg: boolean) {}\n"
            "  async claim(id: string, owner: string) {\n"
            "    await this.ds.query(`UPDATE task SET at = ${nowLiteral(this.pg)}, status = ${statusLiteral(true)} WHERE id = $1`, [id]);\n"
            "    await this.ds.query(`UPDATE task SET owner = ${quoted(owner)} WHERE id = $1`, [id]);\n"
            "  }\n"
            "}\n"
        ),
        "app/__init__.py": "",
        "app/dialect.py": (
            "def now_literal(postgres):\n"
            "    if postgres:\n"
            "        return 'NOW()'\n"
            "    return 'CURRENT_TIMESTAMP'\n"
            "\n\n"
            "def quoted(value):\n"
            "    return f\"'{value}'\"\n"
        ),
        "app/repo.py": (
            "import sqlite3\n"
            "\n"
            "from app.dialect import now_literal, quoted\n"
            "\n\n"
            "def touch(conn: sqlite3.Connection, postgres: bool, name: str):\n"
            "    conn.execute(f'UPDATE task SET at = {now_literal(postgres)} WHERE id = 1')\n"
            "    conn.execute(f'UPDATE task SET name = {quoted(name)} WHERE id = 1')\n"
        ),
    }
    assert _al502(tmp_path, files) == [("app/repo.py", 8), ("src/task.repository.ts", 7)]


def test_names_destructured_from_literal_placeholder_lists_are_fixed(tmp_path):
    """@n8n/db's binary-data repository: ``const [first, second] = dbType === 'postgresdb' ? ['$1', '$2'] :
    ['?', '?']`` spliced where the placeholders go — each name is one of the literals.  A name
    destructured from a parameter still fires."""
    files = {
        "package.json": '{"dependencies": {"typeorm": "^0.3.20", "pg": "^8"}}',
        "lib/repositories/blob.repository.js": (
            "class BlobRepository {\n"
            "    constructor(dataSource, dbType) { this.dataSource = dataSource; this.dbType = dbType; }\n"
            "    async copy(fileId, sourceId, options) {\n"
            "        const [first, second] = this.dbType === 'postgresdb' ? ['$1', '$2'] : ['?', '?'];\n"
            "        await this.dataSource.query(`INSERT INTO blobs (id, source) SELECT ${first}, source FROM blobs WHERE id = ${second}`, [sourceId, fileId]);\n"
            "        const [column] = options.columns;\n"
            "        await this.dataSource.query(`SELECT ${column} FROM blobs`);\n"
            "    }\n"
            "}\n"
            "module.exports = { BlobRepository };\n"
        ),
    }
    assert _al502(tmp_path, files) == [("lib/repositories/blob.repository.js", 7)]



_ALEMBIC_HELPERS = r'''
import sqlalchemy as sa
from alembic import op

_COLUMNS = ("issuer", "client_id")


def _settings_json(prefix: str = "NEW") -> str:
    pairs = [f"'protocol', COALESCE({prefix}.provider, 'oidc')"]
    pairs.extend(f"'{name}', {prefix}.{name}" for name in _COLUMNS)
    return f"json_object({', '.join(pairs)})"


def _insert_assignments() -> str:
    settings_json = _settings_json()
    assignments = [
        "slug = COALESCE(NEW.slug, 'x')",
        f"provider_settings = COALESCE(NEW.provider_settings, {settings_json})",
    ]
    assignments.extend(f"{name} = NEW.{name}" for name in _COLUMNS)
    return ",\n".join(assignments)


def _tainted(extra) -> str:
    parts = ["a = 1"]
    parts.append(extra)
    return ", ".join(parts)


def upgrade() -> None:
    changed = " OR ".join(f"NEW.{name} IS NOT OLD.{name}" for name in _COLUMNS)
    op.execute(sa.text(f"CREATE TRIGGER t AFTER INSERT ON sso WHEN {changed} BEGIN UPDATE sso SET {_insert_assignments()}; END"))
    op.execute(sa.text(f"UPDATE sso SET {_tainted(op.get_context().opts['x'])}"))
'''


def test_module_helpers_that_build_sql_from_literals_are_fixed(tmp_path):
    """langflow's SSO migration builds trigger bodies with private helpers: lists of literals
    extended by generator expressions over a module tuple, joined, a parameter left at its literal
    default (``_settings_json(prefix="NEW")``) — fixed text (3 false AL502).  A helper whose list is
    extended with its caller's argument still fires."""
    files = {"requirements.txt": "alembic\nsqlalchemy\npsycopg2\n",
             "migrations/versions/0001_triggers.py": _ALEMBIC_HELPERS}
    assert _al502(tmp_path, files) == [("migrations/versions/0001_triggers.py", 32)]


_RELABEL_MIGRATION = '''
import sqlalchemy as sa
from alembic import op

_ENUM_RELABELS = {
    "spanstatus": {"UNSET": "unset", "OK": "ok"},
    "spantype": {"CHAIN": "chain"},
}


def _rename_labels(conn, relabels):
    for type_name, mapping in relabels.items():
        for old_label, new_label in mapping.items():
            conn.execute(sa.text(f"ALTER TYPE {type_name} RENAME VALUE '{old_label}' TO '{new_label}'"))


def _copy_names(conn):
    for name, in conn.execute(sa.text("SELECT name FROM legacy_users")):
        conn.execute(sa.text(f"INSERT INTO users (name) VALUES ('{name}')"))


def upgrade():
    conn = op.get_bind()
    _rename_labels(conn, _ENUM_RELABELS)
    _copy_names(conn)
'''


def test_loop_variables_over_a_constant_mapping_passed_to_a_private_helper_are_fixed(tmp_path):
    """langflow's enum-label migration: ``for type_name, mapping in relabels.items(): for old, new in
    mapping.items()`` where the only caller passes the module's nested dict literal — fixed labels.
    A loop over rows the migration reads is still spliced data."""
    files = {"requirements.txt": "alembic\nsqlalchemy\npsycopg2\n", "migrations/versions/0002_relabel.py": _RELABEL_MIGRATION}
    assert _al502(tmp_path, files) == [("migrations/versions/0002_relabel.py", 18)]


def test_a_class_allow_list_behind_immutabledict_and_a_dialects_identifier_preparer_are_safe(tmp_path):
    """SQLAlchemy's SQLite dialect: ``isolation_level = self._isolation_lookup[level]`` where the
    class holds ``util.immutabledict({"READ UNCOMMITTED": 1, "SERIALIZABLE": 0})`` (a lookup in a
    constant allow-list); Oracle's ``self.identifier_preparer.format_sequence(seq)`` quotes the name.
    The level itself, spliced unchecked, still fires."""
    files = {
        "requirements.txt": "sqlalchemy\n",
        "dialect.py": (
            "from sqlalchemy import util\n"
            "\n"
            "\n"
            "class Dialect:\n"
            "    _isolation_lookup = util.immutabledict({'READ UNCOMMITTED': 1, 'SERIALIZABLE': 0})\n"
            "\n"
            "    def set_isolation_level(self, dbapi_connection, level):\n"
            "        isolation_level = self._isolation_lookup[level]\n"
            "        cursor = dbapi_connection.cursor()\n"
            "        cursor.execute(f'PRAGMA read_uncommitted = {isolation_level}')\n"
            "        cursor.execute(f'PRAGMA journal_mode = {level}')\n"
            "\n"
            "    def fire_sequence(self, seq):\n"
            "        return self._execute_scalar('SELECT ' + self.identifier_preparer.format_sequence(seq) + '.nextval FROM DUAL')\n"
        ),
    }
    assert _al502(tmp_path, files) == [("dialect.py", 11)]


def test_a_fragment_that_becomes_a_check_constraint_is_schema_definition(tmp_path):
    """advanced-alchemy's Oracle JSON type: ``sqltext = text(f"{column.name} is json")`` handed to
    ``schema.CheckConstraint(sqltext, …)`` in the type's ``_set_table`` hook — DDL built from the
    column the type is bound to.  The same f-string executed as a statement still fires."""
    files = {
        "requirements.txt": "sqlalchemy\npsycopg2\n",
        "types.py": (
            "from sqlalchemy import text\n"
            "from sqlalchemy.sql import schema\n"
            "\n"
            "\n"
            "class JsonB:\n"
            "    def _set_table(self, column, table):\n"
            "        sqltext = text(f'{column.name} is json')\n"
            "        table.append_constraint(schema.CheckConstraint(sqltext, name=f'{column.name}_is_json'))\n"
            "\n"
            "    def probe(self, session, column):\n"
            "        return session.execute(text(f'SELECT {column.name} FROM t'))\n"
        ),
    }
    assert _al502(tmp_path, files) == [("types.py", 11)]


_KNEX_COMPILED = """
const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });

async function reorder(table, column, id, trx) {
  const selectRows = (name) => knex(name).select('id').rowNumber('src_order', column).where('owner_id', id).toSQL();
  const select = selectRows(table);
  await knex.raw(`UPDATE ?? AS a SET ?? = b.src_order FROM ( ${select.sql} ) AS b WHERE b.id = a.id`,
    [table, column, ...select.bindings]).transacting(trx);
  const direct = knex('tags').where('name', id).toSQL().toNative();
  await knex.raw(`SELECT count(*) FROM ( ${direct.sql} ) AS t`, direct.bindings);
}

async function search(options) {
  await knex.raw(`SELECT id FROM articles WHERE ${options.sql}`);
}

module.exports = { reorder, search };
"""


def test_a_compiled_builder_spliced_into_raw_sql_is_the_builders_text(tmp_path):
    """Strapi's @strapi/database (regular-relations.js): ``selectRowsToOrder(t).toSQL()`` spliced as
    ``( ${select.sql} )`` with ``select.bindings`` passed along — the builder's placeholder text, no
    input in it (a false alarm).  Any other ``.sql`` property still fires."""
    assert _al502(tmp_path, {"package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}', "src/reorder.js": _KNEX_COMPILED}) \
        == [("src/reorder.js", 13)]


_KEYWORD_HELPER = '''
import sqlalchemy as sa
from alembic import op


def _assignment(name: str, note=None) -> str:
    return f"{name} = 1"


def upgrade() -> None:
    op.execute(sa.text(f"UPDATE t SET {_assignment(note=op.get_context().opts['x'], name='a')}"))
    op.execute(sa.text(f"UPDATE t SET {_assignment(name=op.get_context().opts['x'])}"))
'''


def test_a_helper_called_with_keywords_binds_them_by_name(tmp_path):
    """``_assignment(note=<data>, name='a')`` builds its text from ``name`` alone: fixed.  A helper called
    with keywords was never evaluated (its arguments were bound by position, so only all-positional
    calls were read): a false AL502.  The arguments are now bound by records.argument_for, and
    ``name=<data>`` still fires."""
    files = {"requirements.txt": "alembic\nsqlalchemy\npsycopg2\n", "migrations/versions/0003_keywords.py": _KEYWORD_HELPER}
    assert _al502(tmp_path, files) == [("migrations/versions/0003_keywords.py", 11)]
