"""Read the shape of a JS object/array literal from argument text: ``{ where: { id }, include: [A] }``.

Sequelize options are plain object literals, so their shape (which keys, which nested values) is
all the Sequelize rules need.  This reader is tolerant: anything it does not understand stays raw
text, and it never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archlint.domain.arguments import split_top_level


@dataclass(slots=True)
class JsObject:
    entries: dict[str, object] = field(default_factory=dict)  # key -> JsObject | JsArray | str
    spread: list[str] = field(default_factory=list)  # `...options`

    def get(self, key: str, default=None):
        return self.entries.get(key, default)


@dataclass(slots=True)
class JsArray:
    items: list[object] = field(default_factory=list)


def parse(text: str) -> object:
    """A JsObject, JsArray or the stripped raw text."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        return _object(text[1:-1])
    if text.startswith("[") and text.endswith("]"):
        return JsArray([parse(item) for item in split_top_level(text[1:-1])])
    return text


def _object(body: str) -> JsObject:
    result = JsObject()
    for piece in split_top_level(body):
        if piece.startswith("..."):
            result.spread.append(piece[3:].strip())
            continue
        parts = split_top_level(piece, ":")
        if len(parts) == 1:  # shorthand `{ transaction }` or a method `find() {}`
            name = parts[0].split("(")[0].strip()
            result.entries[name] = name
            continue
        key = parts[0].strip().strip("'\"`")
        result.entries[key] = parse(":".join(parts[1:]))
    return result


def arguments(args_text: str) -> list[object]:
    return [parse(piece) for piece in split_top_level(args_text)]
