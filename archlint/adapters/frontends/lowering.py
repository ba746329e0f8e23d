"""One entry point from a file's bytes to its IR, whatever the language.

Parses with the frontend's grammar and lowers the tree; the deep pass of the parsing stage calls
it for the files that need the semantic model (and caches the result by content hash).
"""

from __future__ import annotations

from archlint.adapters.frontends.source import decode
from archlint.domain.ir import ModuleIR


def lower_file(path: str, data: bytes, language: str) -> ModuleIR | None:
    """The IR of one file, or ``None`` when it cannot be decoded or parsed (the facts report why)."""
    decoded = decode(data, language)
    if decoded.skip or not decoded.data.strip():
        return None
    if language == "python":
        from archlint.adapters.frontends.python import _language_parser
        from archlint.adapters.frontends.python_ir import lower

        parser = _language_parser()[1]
        return lower(parser.parse(decoded.data).root_node, decoded.data, path)
    try:
        from archlint.adapters.frontends.js_ir import lower as lower_js
    except ImportError:  # the JS lowering lands separately
        return None
    from archlint.adapters.frontends.javascript import _grammar as js_grammar, _grammar_name, _is_declaration
    from archlint.adapters.frontends.js_syntax import parse_without_gaps

    parser = js_grammar(_grammar_name(path, language)).parser
    tree = parse_without_gaps(parser, decoded.data, _is_declaration(path)).tree  # as the facts (see _Extractor)
    return lower_js(tree.root_node, decoded.data, path, language)
