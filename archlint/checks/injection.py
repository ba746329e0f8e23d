"""AL501: the whole request object used as a query filter (operator injection / data exposure).

SQL built from interpolated strings is the embedded-SQL family's job; this rule covers the ORM
side, where no SQL string exists but the client still chooses the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import call_of
from archlint.domain.findings import Finding

_JS_WHOLE_REQUEST = re.compile(
    r"\bwhere\s*:\s*((?:req|request|ctx\.request|ctx|c\.req)\.(?:body|query|params)(?:\(\))?)\s*(?=[,}]|$)"
)
_PY_WHOLE_REQUEST = re.compile(
    r"\*\*\s*(request\.(?:args|json|form|values|GET|POST|query_params|data|get_json\(\))(?:\.dict\(\)|\.to_dict\(\))?)"
)


def check(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    for access in data.accesses:
        facts = ctx.files[access.path]
        call = call_of(facts, access)
        if call is None:
            continue
        pattern = _PY_WHOLE_REQUEST if facts.language == "python" else _JS_WHOLE_REQUEST
        match = pattern.search(call.args_text)
        if match is None:
            continue
        source = match.group(1)
        message = (
            f"`{source}` is passed whole as the query filter of `{access.callee}(…)`: the client chooses which columns "
            f"to filter on and, in Sequelize, can send operator objects (`{{\"password\": {{\"$ne\": null}}}}`-style) "
            f"to match rows it should not see"
        )
        guidance = "Pick the allowed fields explicitly (e.g. `{ where: { author: req.query.author } }` / `filter_by(author=request.args.get(\"author\"))`) and validate their types."
        yield ctx.registry.finding("AL501", access.path, access.span, message, guidance)
