"""Which fields of the verbatim API row (`record`) no typed column reads: the API's drift.

Every raw row keeps the API's object verbatim in `record`, so a field the API adds is never
lost, but nothing reads it either until the SQL that types the table does. This module tells
the two apart, for `column_schema_unchanged`:

- **What the SQL reads** is taken from the SQL itself, parsed by DuckDB's own parser
  (`json_serialize_sql`), not kept in a second list: every `->` / `->>` path from the record
  column (`json` in `defs/analytics/land_<table>.sql`, `record` in the compliance view) and every key of a
  `from_json(<path>, '<structure>')` structure. A path read whole (`json -> 'code_attribution'`,
  or any leaf) covers everything under it. A path the walker does not understand raises, so a
  new construct in the SQL fails the tests rather than hiding fields.
- **What the SQL knowingly leaves in `record`** (contract fields with no column, such as the
  constant `object`) is declared beside it, in the same file, on `-- untyped:` comment lines.
- **What the API sends** is measured in DuckDB over the lake: the distinct keys of each object
  the SQL reads into, per partition file (`json_keys`, one pass over the days' files,
  lib/checks/record_keys.sql). Only the few hundred (day, object, key) triples reach Python,
  to be compared with the two above.

Depth: a field is named at the first level the SQL does not know. Inside objects and arrays
the SQL reads into (`totals`, `clients[]`, `models[]`, `actor`, `event_details`,
`event_details.token_usage`...) each key is compared; an unknown object is named once, by its
own key (`sim_annotations`, not each key under it), and a subtree read whole is never opened.
So the check goes exactly as deep as the SQL does, plus one level: deeper than the top level,
because that is where APIs add metrics (`totals.cost_usd` once, a field in every `clients[]`
entry), and no deeper than anything could be read, since below an unknown key every field is
unknown anyway.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import duckdb

from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql
from codex_assets.lib.sql import sql_string as _sql

ARRAY = "[]"
"""The path segment of an array's elements: `clients[].client_id`."""

FieldTree = dict[str, "FieldTree | None"]
"""A key -> what of its value is read: a subtree of keys, or None for all of it."""

UNTYPED_MARKER = re.compile(r"^\s*--\s*untyped:(.*)$", re.MULTILINE)
_PATH_FUNCTIONS = {"->", "->>", "json_extract", "json_extract_string", "json_extract_path"}
_STRUCTURE_FUNCTIONS = {"from_json", "json_transform", "from_json_strict", "json_transform_strict"}
_PLACEHOLDER = re.compile(r"__[A-Z_]+__")
_JSONPATH_STEP = re.compile(r'\.(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*))|\[(\*|\d+)\]')
_DECLARED_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\])?)*$")


@dataclass(frozen=True)
class RecordSource:
    """Where a lake table's typed columns come from: an SQL file and its record column."""

    sql_file: str
    """`codex_assets/<sql_file>`."""
    root: str
    """The column holding the API's object in that SQL (`json`, `record`)."""


@dataclass(frozen=True)
class KnownFields:
    """The fields of `record` a table's SQL reads, and those it declares left untyped."""

    read: FieldTree
    untyped: tuple[str, ...]

    @property
    def tree(self) -> FieldTree:
        known = _copy(self.read)
        for path in self.untyped:
            _merge(known, split_path(path), None)
        return known


@cache
def known_fields(source: RecordSource) -> KnownFields:
    """Parse `source` once: the fields its SQL reads and those it declares untyped."""
    text = read_sql(source.sql_file)
    return KnownFields(read_fields(text, source.root), declared_untyped(text))


def read_fields(sql: str, root: str) -> FieldTree:
    """The fields of the JSON column `root` that `sql` reads (see the module docstring)."""
    with duckdb.connect() as conn:
        (serialized,) = conn.execute(
            "SELECT json_serialize_sql($sql)", {"sql": _PLACEHOLDER.sub("'placeholder'", sql)}
        ).fetchone()
    parsed = json.loads(serialized)
    if parsed.get("error"):
        raise ValueError(f"DuckDB could not parse the SQL: {parsed.get('error_message')}")
    tree: FieldTree = {}
    _collect(parsed["statements"], root, tree)
    if not tree:
        raise ValueError(f"the SQL reads no field of {root!r}: is {root!r} its record column?")
    return tree


def declared_untyped(sql: str) -> tuple[str, ...]:
    """The paths on the SQL's `-- untyped: a, b.c, clients[].d` comment lines."""
    paths: list[str] = []
    for line in UNTYPED_MARKER.findall(sql):
        for path in (part.strip() for part in line.split(",")):
            if not path:
                continue
            if not _DECLARED_PATH.match(path):
                raise ValueError(f"`-- untyped:` path {path!r} is not like a.b or clients[].c")
            paths.append(path)
    return tuple(paths)


def split_path(path: str) -> list[str]:
    """`clients[].client_id` -> ["clients", "[]", "client_id"]."""
    segments: list[str] = []
    for part in path.split("."):
        if part.endswith(ARRAY):
            segments += [part[: -len(ARRAY)], ARRAY]
        else:
            segments.append(part)
    return segments


def join_path(segments: Sequence[str]) -> str:
    """The inverse of `split_path`."""
    out = ""
    for segment in segments:
        out += segment if segment == ARRAY or not out else "." + segment
    return out


def paths(tree: FieldTree, prefix: Sequence[str] = ()) -> list[str]:
    """Every path a tree names, leaves and objects read whole (for tests and docs)."""
    found: list[str] = []
    for key, sub in tree.items():
        here = [*prefix, key]
        if sub is None:
            found.append(join_path(here))
        else:
            found += paths(sub, here)
    return found


def _collect(node: Any, root: str, tree: FieldTree) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, root, tree)
        return
    if not isinstance(node, dict):
        return
    if _is_path(node):
        path = _json_path(node, root)
        if path is not None:
            _merge(tree, path, None)
            return
    elif node.get("class") == "FUNCTION" and node.get("function_name") in _STRUCTURE_FUNCTIONS:
        arguments = _arguments(node)
        path = _json_path(arguments[0], root) if arguments else None
        if path is not None:
            _merge(tree, path, _structure_tree(_constant(arguments[1])))
            return
    for value in node.values():
        _collect(value, root, tree)


def _is_path(node: dict) -> bool:
    """A `->` / `->>` / json_extract node. DuckDB's parser reads `json -> 'a' ->> 'b'` as a
    lambda (`json -> ('a' ->> 'b')`) and re-associates it when binding; so does `_json_path`."""
    if node.get("class") == "LAMBDA":
        return node.get("syntax_type") == "SINGLE_ARROW"
    return node.get("class") == "FUNCTION" and node.get("function_name") in _PATH_FUNCTIONS


def _arguments(node: dict) -> list[dict]:
    return [argument["expression"] for argument in node.get("arguments", [])]


def _json_path(node: dict, root: str) -> list[str] | None:
    """The path `node` extracts from `root` (the root itself: []), or None if not from it."""
    if node.get("class") == "COLUMN_REF":
        return [] if node["column_names"][-1] == root else None
    if not _is_path(node):
        return None
    if node["class"] == "LAMBDA":
        base = _json_path(node["lhs"], root)
        return None if base is None else _attach(base, node["expr"])
    base, *keys = _arguments(node)
    path = _json_path(base, root)
    if path is None:
        return None
    for key in keys:
        path = path + _path_segments(key)
    return path


def _attach(base: list[str], node: dict) -> list[str]:
    """`base` extended by the right-hand side of a `->` the parser took for a lambda: its
    leftmost operand is the next key, then the operators around it apply in turn."""
    if node.get("class") == "CONSTANT":
        return base + _path_segments(node)
    if node.get("class") == "LAMBDA" and _is_path(node):
        return _attach(_attach(base, node["lhs"]), node["expr"])
    if _is_path(node):
        first, *keys = _arguments(node)
        path = _attach(base, first)
        for key in keys:
            path = path + _path_segments(key)
        return path
    raise ValueError(f"a JSON path this check cannot follow ({node.get('class')} after ->)")


def _path_segments(node: dict) -> list[str]:
    """The segments of one path argument: a key, an array index, or a JSONPath `$.a[*].b`."""
    literal = node.get("literal") if node.get("class") == "CONSTANT" else None
    if not literal:
        raise ValueError(f"a JSON path argument that is not a constant: {node.get('class')}")
    if literal["kind"] in ("INTEGER", "BIGINT"):
        return [ARRAY]
    text = _constant(node)
    if not text.startswith("$"):
        return [text]
    segments: list[str] = []
    position = 1
    while position < len(text):
        step = _JSONPATH_STEP.match(text, position)
        if step is None:
            raise ValueError(f"a JSONPath this check cannot follow: {text!r}")
        quoted, plain, index = step.groups()
        segments.append(ARRAY if index is not None else (quoted if quoted is not None else plain))
        position = step.end()
    return segments


def _constant(node: dict) -> str:
    literal = node.get("literal") if node.get("class") == "CONSTANT" else None
    if not literal or literal.get("kind") not in ("STRING", "VARCHAR"):
        raise ValueError(f"expected a string constant, found {node.get('class')}")
    return literal["text"] if "text" in literal else literal["value"]


def _structure_tree(structure_text: str) -> FieldTree | None:
    return _structure(json.loads(structure_text))


def _structure(structure: Any) -> FieldTree | None:
    if isinstance(structure, dict):
        return {key: _structure(value) for key, value in structure.items()}
    if isinstance(structure, list):
        if len(structure) != 1:
            raise ValueError(f"a from_json list structure holds one element type: {structure}")
        return {ARRAY: _structure(structure[0])}
    return None  # a type name: the value is read whole


def _merge(tree: FieldTree, path: Sequence[str], sub: FieldTree | None) -> None:
    node = tree
    for segment in path[:-1]:
        if segment in node and node[segment] is None:
            return  # already read whole
        node = node.setdefault(segment, {})  # type: ignore[assignment]
    if not path:
        if sub is None:
            raise ValueError("the SQL reads the record whole through a JSON function")
        for key, value in sub.items():
            _merge(tree, [key], value)
        return
    last = path[-1]
    if sub is None or node.get(last, {}) is None:
        node[last] = None
        return
    target = node.setdefault(last, {})
    for key, value in sub.items():
        _merge(target, [key], value)  # type: ignore[arg-type]


def _copy(tree: FieldTree) -> FieldTree:
    return {key: None if sub is None else _copy(sub) for key, sub in tree.items()}


# -- what the lake holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnreadField:
    """A field the API sent that no column reads: its path and the days it was seen on."""

    path: str
    days: tuple[date, ...]


@dataclass(frozen=True)
class RecordDrift:
    """What `unread_fields` found over the landed partitions of some days."""

    sql_file: str
    days_checked: tuple[date, ...]
    levels: tuple[str, ...]
    """The objects whose keys were compared (`` for the top level, `clients[]`...)."""
    fields: tuple[UnreadField, ...]


def levels(tree: FieldTree, prefix: Sequence[str] = ()) -> list[tuple[str, ...]]:
    """The objects the SQL reads into, as paths: the top level (()), then every key whose
    value it reads part of (`totals`, `clients[]`...). Their keys are what the check lists."""
    found: list[tuple[str, ...]] = []
    if any(key != ARRAY for key in tree):
        found.append(tuple(prefix))
    for key, sub in tree.items():
        if sub is not None:
            found += levels(sub, [*prefix, key])
    return found


def record_keys_sql(tree: FieldTree) -> tuple[list[str], str]:
    """(the levels' names, the check query) listing the distinct keys of `record` at each
    level of `tree`, per partition file: lib/checks/record_keys.sql with its slots filled."""
    objects = levels(tree)
    plain = [level for level in objects if ARRAY not in level]
    arrays = [level for level in objects if ARRAY in level]
    parts = []
    if plain:
        parts.append(
            "json_keys(record, [" + ", ".join(_sql(_jsonpath(level)) for level in plain) + "])"
        )
    if arrays:
        parts.append(
            "["
            + ", ".join(f"flatten(json_keys(record, {_sql(_jsonpath(level))}))" for level in arrays)
            + "]"
        )
    names = [join_path(level) for level in plain + arrays]
    keys = parts[0] if len(parts) == 1 else f"list_concat({', '.join(parts)})"
    query = read_sql("lib/checks/record_keys.sql").format(
        levels="[" + ", ".join(_sql(name) for name in names) + "]", keys=keys
    )
    return names, query


def unread_fields(
    lake: Lake, table: str, source: RecordSource, days: Sequence[date]
) -> RecordDrift:
    """The fields of `record` in `table`'s partitions of `days` that `source` does not read.

    One DuckDB query over the days' Parquet files (lib/checks/record_keys.sql): the distinct
    keys of every object the SQL reads into, per file (that is, per day). Only those few
    hundred (day, object, key) triples reach Python, to be compared with `known_fields`.
    """
    known = known_fields(source).tree
    names, query = record_keys_sql(known)
    files = {
        str(lake.partition_file(table, day)): day
        for day in sorted(set(days))
        if lake.partition_file(table, day).exists()
    }
    if not files:
        return RecordDrift(source.sql_file, (), tuple(names), ())
    with lake.connect() as conn:
        rows = conn.execute(query, {"files": list(files)}).fetchall()
    by_level = {join_path(level): _at(known, level) for level in levels(known)}
    seen: dict[str, set[date]] = {}
    for file_name, level, key in rows:
        if key is None or key in by_level[level]:
            continue
        path = f"{level}.{key}" if level else key
        seen.setdefault(path, set()).add(files[file_name])
    fields = tuple(UnreadField(path, tuple(sorted(seen[path]))) for path in sorted(seen))
    return RecordDrift(source.sql_file, tuple(sorted(files.values())), tuple(names), fields)


def _at(tree: FieldTree, level: Sequence[str]) -> FieldTree:
    node = tree
    for segment in level:
        node = node[segment]  # type: ignore[assignment]
    return node


def _jsonpath(level: Sequence[str]) -> str:
    """`$."clients"[*]` for ("clients", "[]"): keys quoted, arrays as wildcards."""
    return "$" + "".join("[*]" if s == ARRAY else '."' + s.replace('"', '\\"') + '"' for s in level)


def describe(fields: Sequence[UnreadField], cap: int) -> str:
    """`totals.credits_overage, foo` (at most `cap` named, then `and N more`)."""
    shown = ", ".join(field.path for field in fields[:cap])
    return shown + (f" and {len(fields) - cap} more" if len(fields) > cap else "")
