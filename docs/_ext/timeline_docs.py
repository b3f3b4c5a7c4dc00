"""Sphinx extension for the timeline docs: pages generated from the code, so that they cannot drift.

At ``builder-inited`` it writes Markdown into ``docs/_generated/`` for the pages to ``{include}``:

* ``events.md``: one section per built-in event type, a table of its fields built from the attrs fields, each
  described by the ``Fields:`` list of the class that declares it (`field_docs`);
* ``values.md``: the same tables for the value types (`Money`, `Quantity`, `Source`);
* ``cli.md``: the command line reference, from the argparse parser the ``timeline`` command uses.

A field with no description is a build warning (so ``sphinx-build -W`` fails) and a test failure
(``tests/test_docs.py``).
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from sphinx.util.nodes import make_refnode

import timeline.cli
from timeline.events import BUILTIN_EVENT_TYPES, Event, Occurrence
from timeline.values import Money, Quantity, Source

if TYPE_CHECKING:
    from collections.abc import Iterator

VALUE_TYPES: tuple[type[Any], ...] = (Money, Quantity, Source)

_ITEM = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?: \([^)]*\))?: (?P<text>.*)")


def field_docs(cls: type[Any]) -> dict[str, str]:
    """Each field's description from the ``Fields:`` lists of `cls` and its bases (the nearest class wins).

    The list is Google style, as sphinx.ext.napoleon reads it::

        Fields:
            by: Who invokes it.
            against: Whom it is invoked against,
                continued on an indented line.
    """
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        docs.update(_fields_section(klass.__dict__.get("__doc__") or ""))
    return docs


def _fields_section(docstring: str) -> dict[str, str]:
    lines = inspect.cleandoc(docstring).splitlines()
    try:
        start = lines.index("Fields:") + 1
    except ValueError:
        return {}
    return _items(lines[start:])


def _items(lines: list[str]) -> dict[str, str]:
    """The ``name: text`` items of an indented list, until the first line that is not indented."""
    found: dict[str, str] = {}
    name: str | None = None
    indent: int | None = None
    for line in lines:
        if not line.strip():
            if found:
                break
            continue
        here = len(line) - len(line.lstrip())
        if here == 0:
            break
        if indent is None:
            indent = here
        match = _ITEM.fullmatch(line.strip())
        if here == indent and match:
            name = match["name"]
            found[name] = match["text"].strip()
        elif name is not None:
            found[name] += " " + line.strip()
    return found


def undocumented_fields(cls: type[Any]) -> list[str]:
    """The attrs fields of `cls` that no ``Fields:`` list describes."""
    docs = field_docs(cls)
    return [f.name for f in attrs.fields(cls) if not docs.get(f.name)]


def _json_kind(annotation: str) -> str:
    """How a field's Python annotation is written in an event's JSON."""
    kind = annotation.replace(" | None", "")
    kinds = {
        "str": "string",
        "int": "whole number",
        "bool": "`true` or `false`",
        "Decimal": 'decimal string (`"6000000"`)',
        "When": "EDTF date ({ref}`dates`)",
        "When | None": "EDTF date ({ref}`dates`)",
        "Quantity": "count ({ref}`counts`)",
        "Money": "money ({ref}`money`)",
        "tuple[str, ...]": "list of strings",
        "tuple[Source, ...]": "list of sources ({ref}`sources`)",
        "dict[str, Any]": "object",
    }
    return kinds.get(kind, f"`{annotation}`")


def _default(field: attrs.Attribute[Any]) -> str:
    if field.default is attrs.NOTHING:
        return "**yes**"
    if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
        return "no (default: a new UUID)" if field.name == "id" else "no"
    if field.default is None:
        return "no"
    if field.default == ():
        return "no (default `[]`)"
    if field.default is False:
        return "no (default `false`)"
    return f"no (default `{field.default!r}`)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def fields_table(cls: type[Any], *, skip: tuple[str, ...] = ()) -> Iterator[str]:
    """A Markdown table of the attrs fields of `cls`: name, JSON kind, required or default, description."""
    docs = field_docs(cls)
    yield "| field | JSON | required | meaning |"
    yield "| --- | --- | --- | --- |"
    for field in attrs.fields(cls):
        if field.name in skip:
            continue
        annotation = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "?")
        row = (f"`{field.name}`", _json_kind(annotation), _default(field), docs.get(field.name, ""))
        yield "| " + " | ".join(_cell(c) for c in row) + " |"


def _summary(cls: type[Any]) -> str:
    return inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].replace("\n", " ")


def events_markdown() -> str:
    """The generated part of the events page: the common fields, then a section per built-in type."""
    common = tuple(f.name for f in attrs.fields(Event))
    out = [
        "(common-fields)=",
        "## Fields every event has",
        "",
        "Every type takes these fields besides its own (they are declared by {py:class}`timeline.Event`).",
        "",
        *fields_table(Event),
        "",
    ]
    for cls in BUILTIN_EVENT_TYPES:
        out += [
            f"(event-{cls.TYPE})=",
            f"## `{cls.TYPE}`",
            "",
            f"{_summary(cls)} Python: {{py:class}}`{cls.__module__}.{cls.__qualname__}`, "
            f"schema version {cls.SCHEMA_VERSION}.",
            "",
            *fields_table(cls, skip=common),
            "",
        ]
        if not issubclass(cls, Occurrence):
            out += ["It has no `when`: it takes effect when it is recorded.", ""]
    return "\n".join(out)


def values_markdown(cls: type[Any]) -> str:
    """The field table of one value type, with its summary."""
    path = f"{cls.__module__}.{cls.__qualname__}"
    return "\n".join([f"{_summary(cls)} ({{py:class}}`{path}`)", "", *fields_table(cls), ""])


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, helps.get(name, ""), sub


def _arguments(parser: argparse.ArgumentParser) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if action.option_strings:
            names = ", ".join(action.option_strings)
            if action.nargs != 0:
                names += f" {action.metavar or action.dest.upper()}"
        else:
            names = str(action.metavar or action.dest)
        text = (action.help or "").replace("%(default)s", str(action.default))
        shown = action.default not in (None, False, []) and "default" not in text
        if shown and (action.option_strings or action.nargs == "?"):
            text += f" (default: `{action.default}`)"
        yield f"`{names}`\n: {text or '—'}\n"


def cli_markdown(parser: argparse.ArgumentParser) -> str:
    """The command line reference: global options, then a section per command with usage and arguments."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps usage to the terminal: fix it so the page is stable
    try:
        out = [
            "(cli-global)=",
            "## `timeline`",
            "",
            parser.description or "",
            "",
            "```text",
            parser.format_usage().strip(),
            "```",
            "",
            *_arguments(parser),
            "",
        ]
        for name, help_text, sub in _subcommands(parser):
            out += [
                f"(cli-{name})=",
                f"## `timeline {name}`",
                "",
                help_text[:1].upper() + help_text[1:] + ".",
                "",
                "```text",
                sub.format_usage().strip(),
                "```",
                "",
                *_arguments(sub),
                "",
            ]
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return "\n".join(out)


def formats_markdown() -> str:
    """A table of the installed export formats: name, media type, file extension, plugin, description."""
    from timeline import plugins

    provided = {name: plugin for name, _, plugin in plugins.formats()}
    out = ["| format | media type | extension | plugin | what it is |", "| --- | --- | --- | --- | --- |"]
    for name, exporter in sorted(plugins.exporters().items()):
        row = (f"`{name}`", f"`{exporter.media_type}`", f"`{exporter.extension}`", f"`{provided[name]}`")
        out.append("| " + " | ".join(_cell(c) for c in (*row, exporter.description)) + " |")
    return "\n".join([*out, ""])


def options_markdown(format_name: str) -> str:
    """A table of one format's options (`--option KEY=VALUE`), from the exporter's own `options`."""
    from timeline import plugins

    exporter = plugins.get_exporter(format_name)
    out = ["| option | meaning |", "| --- | --- |"]
    out += [f"| `{key}` | {_cell(text)} |" for key, text in exporter.options.items()]
    return "\n".join([*out, ""])


#: The date shapes the dates page shows, one of each kind the parser accepts.
DATE_SHAPES = (
    "2025",
    "2025-03",
    "2025-04-14",
    "2025-04-14T15:30:00-04:00",
    "2025-03~",
    "2025?",
    "2025-04-14%",
    "2025-03-01/2025-03-05",
    "2025-01-20/2025-02~",
    "2024/2025",
    "../2025-04-14",
    "2025-03/..",
    "2025-04-14T09:00:00Z/2025-04-14T11:00:00Z",
)


def _placed(when: Any, policy: str) -> str:
    from datetime import date, datetime, timedelta

    from timeline.exporters._ical_dates import place

    placed = place(when, policy)
    if placed is None:
        return "left out"

    def ical(moment: date | datetime | None) -> str:
        if isinstance(moment, datetime):
            return f"{moment:%Y%m%dT%H%M%SZ}"
        return "" if moment is None else f"{moment:%Y%m%d}"

    start, end = placed
    if isinstance(end, timedelta):  # DURATION instead of DTEND (9999-12-31 has no next day)
        return f"`{ical(start)}` for {end.days} day(s)"
    return f"`{ical(start)}`" + (f" to `{ical(end)}`" if end is not None else "")


def dates_markdown() -> str:
    """Each date shape: its bounds, precision, wording, and its iCalendar placement under each policy."""
    from timeline.when import When

    out = [
        "| EDTF | said as | earliest | latest | precision | iCalendar `span` | `first-day` | `skip` |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for text in DATE_SHAPES:
        when = When.parse(text)
        cells = (
            f"`{when}`",
            when.human(),
            str(when.earliest or "open"),
            str(when.latest or "open"),
            when.precision.name.lower(),
            *(_placed(when, policy) for policy in ("span", "first-day", "skip")),
        )
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join([*out, ""])


def _first_sentence(module_name: str) -> str:
    import importlib

    try:
        doc = importlib.import_module(module_name).__doc__ or ""
    except ImportError:
        return "(not in this version)"
    first = inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ")
    return first.split(". ")[0].rstrip(".")


def layers_markdown(pyproject: Path) -> str:
    """The layers of the import-linter contract in `pyproject`, from the top, each module with its summary."""
    import tomllib

    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    out: list[str] = []
    for contract in contracts:
        if contract.get("type") != "layers":
            continue
        out += [f'The contract "{contract["name"]}", listed from the top layer down:', ""]
        for number, layer in enumerate(contract["layers"], start=1):
            optional = layer.startswith("(") and layer.endswith(")")
            names = re.split(r"\s*[|:]\s*", layer.strip("()"))
            together = "may import each other" if ":" in layer else "independent of each other"
            parts = [f"`{name}` ({_first_sentence(name)})" for name in names]
            line = f"{number}. " + "; ".join(parts)
            if len(names) > 1:
                line += f" — {together}"
            if optional:
                line += " — optional: the contract allows it to be missing"
            out.append(line)
        out.append("")
    return "\n".join(out)


def command_line_parser() -> argparse.ArgumentParser:
    """The parser of the ``timeline`` command (`timeline.cli.build_parser`)."""
    return timeline.cli.build_parser()


def _write(path: Path, text: str) -> None:
    """Write only if changed, so that Sphinx does not rebuild every page that includes it."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(folder: Path) -> list[str]:
    """Write the generated pages into `folder`; return a warning per undocumented field."""
    folder.mkdir(exist_ok=True)
    _write(folder / "events.md", events_markdown())
    for cls in VALUE_TYPES:
        _write(folder / f"{cls.__name__.lower()}.md", values_markdown(cls))
    _write(folder / "cli.md", cli_markdown(command_line_parser()))
    _write(folder / "formats.md", formats_markdown())
    _write(folder / "dates.md", dates_markdown())
    _write(folder / "layers.md", layers_markdown(folder.parent.parent / "pyproject.toml"))
    from timeline import plugins

    for name in plugins.exporters():
        _write(folder / f"options-{name}.md", options_markdown(name))
    missing = {
        f"{_declaring(cls, name).__qualname__}.{name} has no description in a 'Fields:' list of its docstring"
        for cls in (*BUILTIN_EVENT_TYPES, *VALUE_TYPES)
        for name in undocumented_fields(cls)
    }
    return sorted(missing)


def _declaring(cls: type[Any], name: str) -> type[Any]:
    """The class of `cls`'s MRO that declares the field `name`."""
    return next(k for k in cls.__mro__ if name in inspect.get_annotations(k))


def _on_builder_inited(app: Any) -> None:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    for warning in generate(Path(app.srcdir) / "_generated"):
        logger.warning(warning)


def _fields_as_parameters(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Render a docstring's ``Fields:`` list as the class's parameters (attrs fields are its arguments)."""
    try:
        start = lines.index("Fields:")
    except ValueError:
        return
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith(" ")):
        end += 1
    items = _items(lines[start + 1 : end])
    lines[start:end] = [*(f":param {field}: {text}" for field, text in items.items()), ""]


def _signature_defaults(
    app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None, annotation: str | None
) -> tuple[str | None, str | None] | None:
    """attrs fields with a factory show ``= NOTHING`` in signatures: say what they default to instead."""
    if signature and "= NOTHING" in signature:
        return signature.replace("id: str = NOTHING", "id: str = new_event_id()"), annotation
    return None


def _code_if_unresolved(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """A `name` in a docstring links to the object it names, and is plain code when it names none.

    The docstrings write parameters and expressions in backticks too (`after_version`, `open_store(url)`);
    only those fall back. Explicit references (``{py:class}``, ``{py:func}``, annotations) stay checked.
    """
    if node.get("refdomain") != "py":
        return None
    if not node.get("refspecific"):
        # Annotations name what their module imported (`Timeline`, `Expected`): the object documented
        # under that name anywhere, if it is one object, is the one meant.
        domain = env.get_domain("py")
        for role in (node["reftype"], None):  # an alias such as `Expected` is data, not a class
            matches = domain.find_obj(env, None, None, node["reftarget"], role, 1)
            if len(matches) == 1:
                name, obj = matches[0]
                return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, name)
    if node.get("reftype") == "obj":
        return contnode
    return None


def setup(app: Any) -> dict[str, Any]:
    """Register the generator, the ``Fields:`` rendering and the fallback of backticked names."""
    app.connect("builder-inited", _on_builder_inited)
    app.connect("autodoc-process-docstring", _fields_as_parameters)
    app.connect("autodoc-process-signature", _signature_defaults)
    app.connect("missing-reference", _code_if_unresolved)
    return {"parallel_read_safe": True, "version": "1"}
