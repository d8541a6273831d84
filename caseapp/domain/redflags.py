"""Red-flag templates: parsing and validation, the risk score, and carrying answers over.

Pure rules: no Qt, no database, no file writes. The only read is of the bundled templates in
``resources/redflags`` through :mod:`importlib.resources`. The TOML format and the score formula
are fixed by CONTRACTS.md ("Red-flag template (TOML)").
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from caseapp.domain.enums import ChecklistState, IdentifierKind

T = TypeVar("T")

DEFAULT_P: dict[int, float] = {1: 0.10, 2: 0.25, 3: 0.45}
DEFAULT_SUSPECTED_FACTOR = 0.5
BAND_UNASSESSED = "unassessed"
BAND_NAMES = ("low", "elevated", "high", "critical")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ITEM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")
_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_URL = re.compile(r"^https?://\S+$")
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")

_TOP_REQUIRED = ("id", "version", "title", "bands", "categories")
_TOP_KEYS = (*_TOP_REQUIRED, "description", "scoring", "sources")
_SCORING_KEYS = ("p", "suspected_factor")
_BAND_KEYS = ("elevated", "high", "critical")
_SOURCE_REQUIRED = ("id", "title", "publisher")
_SOURCE_KEYS = (*_SOURCE_REQUIRED, "date", "url")
_CATEGORY_KEYS = ("id", "title", "items")
_ITEM_REQUIRED = ("id", "label", "weight")
_ITEM_KEYS = (*_ITEM_REQUIRED, "description", "sources", "evidence_hint", "suggest_on")


class TemplateError(Exception):
    """A template that cannot be used; the message names the file, the key path and the line."""

    def __init__(self, source_name: str, path: str, problem: str, line: int | None = None):
        self.source_name = source_name
        self.path = path
        self.problem = problem
        self.line = line
        where = f"line {line}: " if line is not None else ""
        key = f"{path}: " if path else ""
        super().__init__(f"{source_name}: {where}{key}{problem}")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across worker processes
        return (TemplateError, (self.source_name, self.path, self.problem, self.line))


@dataclass(frozen=True)
class Source:
    """A public source that items cite (``[[sources]]``)."""

    id: str
    title: str
    publisher: str
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Item:
    """One red-flag indicator."""

    id: str
    label: str
    description: str
    weight: int
    sources: tuple[str, ...]
    evidence_hint: str
    suggest_on: tuple[IdentifierKind, ...]
    category_id: str


@dataclass(frozen=True)
class Category:
    """A titled group of items."""

    id: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Scoring:
    """Weight -> contribution when confirmed, and the factor applied to suspected items."""

    p: dict[int, float]
    suspected_factor: float


@dataclass(frozen=True)
class Bands:
    """Lower bounds (inclusive) of the bands on the 0-100 score; below ``elevated`` is low."""

    elevated: int
    high: int
    critical: int


@dataclass(frozen=True)
class Template:
    """A parsed, validated red-flag template."""

    id: str
    version: int
    title: str
    description: str
    scoring: Scoring
    bands: Bands
    sources: tuple[Source, ...]
    categories: tuple[Category, ...]
    _items: tuple[Item, ...] = field(init=False, repr=False, compare=False)
    _index: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        items = tuple(i for c in self.categories for i in c.items)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_index", {i.id: i for i in items})

    @property
    def items(self) -> tuple[Item, ...]:
        """All items, in template order."""
        return self._items

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError if the template has none."""
        try:
            return self._index[item_id]
        except KeyError:
            raise KeyError(f"template {self.id} v{self.version} has no item {item_id!r}") from None

    def has_item(self, item_id: str) -> bool:
        """Whether the template has an item with this id."""
        return item_id in self._index


class _Parser:
    def __init__(self, source_name: str) -> None:
        self.name = source_name

    def fail(self, path: str, problem: str) -> TemplateError:
        return TemplateError(self.name, path, problem)

    def table(self, value: Any, path: str, allowed: tuple[str, ...],
              required: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a table, not {_tname(value)}")
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                did = f"; did you mean {hint[0]!r}?" if hint else ""
                raise self.fail(_join(path, key), f"unknown key{did} (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in value:
                raise self.fail(_join(path, key), "missing required key")
        return value

    def tables(self, value: Any, path: str, *, nonempty: bool) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(path, f"must be an array of tables, not {_tname(value)}")
        if nonempty and not value:
            raise self.fail(path, "must not be empty")
        return value

    def text(self, value: Any, path: str, *, nonempty: bool = True,
             pattern: re.Pattern[str] | None = None, shape: str = "") -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"must be a string, not {_tname(value)}")
        if nonempty and not value.strip():
            raise self.fail(path, "must not be empty")
        if pattern is not None and not pattern.match(value.strip()):
            raise self.fail(path, f"{value!r} is not {shape}")
        return value.strip()

    def unique(self, seen: dict[str, str], key: str, path: str, what: str) -> None:
        if key in seen:
            raise self.fail(f"{path}.id", f"duplicate {what} id {key!r} (first at {seen[key]})")
        seen[key] = path

    def integer(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be an integer, not {_tname(value)}")
        return value

    def number(self, value: Any, path: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"must be a number, not {_tname(value)}")
        if not low <= value <= high:
            raise self.fail(path, f"must be between {low:g} and {high:g}, not {value!r}")
        return float(value)

    def str_list(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be an array of strings, not {_tname(value)}")
        return [self.text(v, f"{path}[{i}]") for i, v in enumerate(value)]

    # -- sections

    def scoring(self, raw: Any) -> Scoring:
        if raw is None:
            return Scoring(dict(DEFAULT_P), DEFAULT_SUSPECTED_FACTOR)
        raw = self.table(raw, "scoring", _SCORING_KEYS)
        p = dict(DEFAULT_P)
        if "p" in raw:  # replaces the default table as a whole
            if not isinstance(raw["p"], dict) or not raw["p"]:
                raise self.fail("scoring.p", "must be a non-empty table of weight = contribution")
            p = {}
            for key, value in sorted(raw["p"].items()):
                if not re.fullmatch(r"[1-9][0-9]*", key):
                    raise self.fail(f"scoring.p.{key}", "weight must be a positive integer")
                p[int(key)] = self.number(value, f"scoring.p.{key}", 0.0, 1.0)
            p = dict(sorted(p.items()))
        factor = self.number(raw.get("suspected_factor", DEFAULT_SUSPECTED_FACTOR),
                             "scoring.suspected_factor", 0.0, 1.0)
        return Scoring(p, factor)

    def bands(self, raw: Any) -> Bands:
        raw = self.table(raw, "bands", _BAND_KEYS, _BAND_KEYS)
        values = [self.integer(raw[k], f"bands.{k}") for k in _BAND_KEYS]
        for i, (key, value) in enumerate(zip(_BAND_KEYS, values, strict=True)):
            if not 0 <= value <= 100:
                raise self.fail(f"bands.{key}", f"must be between 0 and 100, not {value}")
            if i and value <= values[i - 1]:
                raise self.fail(f"bands.{key}", f"must be greater than bands.{_BAND_KEYS[i - 1]} "
                                f"({values[i - 1]}); bands must increase")
        return Bands(*values)

    def source(self, raw: dict[str, Any], path: str) -> Source:
        raw = self.table(raw, path, _SOURCE_KEYS, _SOURCE_REQUIRED)
        date = raw.get("date")
        if isinstance(date, _dt.date) and not isinstance(date, _dt.datetime):
            date = date.isoformat()
        if date is not None:
            date = self.text(date, f"{path}.date", pattern=_DATE, shape="YYYY[-MM[-DD]]")
        url = raw.get("url")
        if url is not None:
            url = self.text(url, f"{path}.url", pattern=_URL, shape="an http(s) URL")
        return Source(
            id=self.text(raw["id"], f"{path}.id", pattern=_SOURCE_ID, shape="a source id"),
            title=self.text(raw["title"], f"{path}.title"),
            publisher=self.text(raw["publisher"], f"{path}.publisher"),
            date=date,
            url=url,
        )

    def item(self, raw: dict[str, Any], path: str, category_id: str, scoring: Scoring,
             source_ids: set[str]) -> Item:
        raw = self.table(raw, path, _ITEM_KEYS, _ITEM_REQUIRED)
        item_id = self.text(raw["id"], f"{path}.id", pattern=_ITEM_ID,
                            shape="a dotted lower-case id like 'identity.shared-contact'")
        weight = self.integer(raw["weight"], f"{path}.weight")
        if weight not in scoring.p:
            raise self.fail(f"{path}.weight", f"must be {_or_list(scoring.p)}")
        sources: list[str] = []
        for i, ref in enumerate(self.str_list(raw.get("sources", []), f"{path}.sources")):
            if ref not in source_ids:
                raise self.fail(f"{path}.sources[{i}]", f"unknown source {ref!r} (not in [[sources]])")
            if ref not in sources:
                sources.append(ref)
        kinds: list[IdentifierKind] = []
        for i, text in enumerate(self.str_list(raw.get("suggest_on", []), f"{path}.suggest_on")):
            try:
                kind = IdentifierKind.parse(text)
            except ValueError as exc:
                raise self.fail(f"{path}.suggest_on[{i}]", str(exc)) from None
            if kind not in kinds:
                kinds.append(kind)
        return Item(
            id=item_id,
            label=self.text(raw["label"], f"{path}.label"),
            description=self.text(raw.get("description", ""), f"{path}.description", nonempty=False),
            weight=weight,
            sources=tuple(sources),
            evidence_hint=self.text(raw.get("evidence_hint", ""), f"{path}.evidence_hint",
                                    nonempty=False),
            suggest_on=tuple(kinds),
            category_id=category_id,
        )

    def template(self, data: dict[str, Any]) -> Template:
        self.table(data, "", _TOP_KEYS, _TOP_REQUIRED)
        template_id = self.text(data["id"], "id", pattern=_SLUG, shape="a lower-case slug")
        version = self.integer(data["version"], "version")
        if version < 1:
            raise self.fail("version", f"must be a positive integer, not {version}")
        scoring = self.scoring(data.get("scoring"))
        bands = self.bands(data["bands"])

        sources: list[Source] = []
        seen_sources: dict[str, str] = {}
        for i, raw in enumerate(self.tables(data.get("sources", []), "sources", nonempty=False)):
            sources.append(self.source(raw, f"sources[{i}]"))
            self.unique(seen_sources, sources[-1].id, f"sources[{i}]", "source")

        categories: list[Category] = []
        seen_categories: dict[str, str] = {}
        seen_items: dict[str, str] = {}
        for ci, raw_cat in enumerate(self.tables(data["categories"], "categories", nonempty=True)):
            cpath = f"categories[{ci}]"
            raw_cat = self.table(raw_cat, cpath, _CATEGORY_KEYS, _CATEGORY_KEYS)
            cat_id = self.text(raw_cat["id"], f"{cpath}.id", pattern=_SLUG, shape="a lower-case slug")
            self.unique(seen_categories, cat_id, cpath, "category")
            title = self.text(raw_cat["title"], f"{cpath}.title")
            items: list[Item] = []
            raw_items = self.tables(raw_cat["items"], f"{cpath}.items", nonempty=True)
            for ii, raw_item in enumerate(raw_items):
                ipath = f"{cpath}.items[{ii}]"
                items.append(self.item(raw_item, ipath, cat_id, scoring, set(seen_sources)))
                self.unique(seen_items, items[-1].id, ipath, "item")
            categories.append(Category(cat_id, title, tuple(items)))

        title = self.text(data["title"], "title")
        description = self.text(data.get("description", ""), "description", nonempty=False)
        return Template(template_id, version, title, description, scoring, bands,
                        tuple(sources), tuple(categories))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _tname(value: Any) -> str:
    names = {dict: "a table", list: "an array", str: "a string", bool: "a boolean",
             int: "an integer", float: "a number"}
    return names.get(type(value), type(value).__name__)


def _or_list(values: Mapping[int, float]) -> str:
    keys = [str(k) for k in values]
    return keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} or {keys[-1]}"


def parse_template(text: str, source_name: str) -> Template:
    """Parse and validate a template's TOML text; raise TemplateError naming file, key and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POS.search(message)
        if match:
            line = int(match.group(1))
            message = _TOML_POS.sub(f"(column {match.group(2)})", message)
        else:  # "at end of document"
            line = max(1, len(text.splitlines()))
        raise TemplateError(source_name, "", f"TOML syntax error: {message}", line=line) from None
    return _Parser(source_name).template(data)


def load_builtin_templates() -> list[Template]:
    """Parse every bundled ``resources/redflags/*.toml``, ordered by id, then version."""
    from caseapp.resources_access import resource

    templates: list[Template] = []
    seen: dict[tuple[str, int], str] = {}
    folder = resource("redflags")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.is_file() or not entry.name.endswith(".toml"):
            continue
        template = parse_template(entry.read_text(encoding="utf-8"), entry.name)
        key = (template.id, template.version)
        if key in seen:
            raise TemplateError(entry.name, "id",
                                f"template {template.id!r} v{template.version} also in {seen[key]}")
        seen[key] = entry.name
        templates.append(template)
    templates.sort(key=lambda t: (t.id, t.version))  # newest version of each id last
    return templates


@dataclass(frozen=True)
class Score:
    """A checklist's risk score (0-100), its band and how much of it was assessed."""

    score: int
    band: str
    coverage: float
    confirmed: int
    suspected: int
    assessed: int
    total: int


def band_for(bands: Bands, score: int) -> str:
    """Band name for an assessed checklist's score (thresholds are inclusive lower bounds)."""
    for name, bound in (("critical", bands.critical), ("high", bands.high),
                        ("elevated", bands.elevated)):
        if score >= bound:
            return name
    return "low"


def compute_score(template: Template, states: Mapping[str, ChecklistState | str]) -> Score:
    """Score per CONTRACTS.md: round(100 × (1 − Π(1 − pᵢ))) over confirmed and suspected items.

    Missing item ids count as not assessed; ids that are not in the template are ignored.
    Computed exactly as the formula reads, with Python floats and the built-in ``round()``
    (round half to even on the float result), multiplying in template order, so external
    checks that evaluate the formula the same way agree to the point: a single suspected
    weight-3 item gives ``100 * (1 - (1 - 0.45 * 0.5))`` = 22.499999999999996 -> 22.
    """
    remaining = 1.0
    factor = float(template.scoring.suspected_factor)
    confirmed = suspected = assessed = 0
    for item in template.items:
        state = ChecklistState.parse(states.get(item.id, ChecklistState.NOT_ASSESSED))
        if state is ChecklistState.NOT_ASSESSED:
            continue
        assessed += 1
        p = float(template.scoring.p[item.weight])
        if state is ChecklistState.CONFIRMED:
            confirmed += 1
            remaining *= 1 - p
        elif state is ChecklistState.SUSPECTED:
            suspected += 1
            remaining *= 1 - p * factor
    total = len(template.items)
    score = round(100 * (1 - remaining))
    band = BAND_UNASSESSED if assessed == 0 else band_for(template.bands, score)
    return Score(score, band, assessed / total if total else 0.0, confirmed, suspected,
                 assessed, total)


def carry_over(old: Template, new: Template,
               answers: Mapping[str, T]) -> tuple[dict[str, T], list[str]]:
    """Keep answers whose item id exists in ``new``; return (kept, dropped ids).

    Kept answers follow ``new``'s item order; dropped ids follow ``old``'s item order, then any
    answered ids that neither template knows, in the order given.
    """
    kept = {item.id: answers[item.id] for item in new.items if item.id in answers}
    dropped = [item.id for item in old.items if item.id in answers and not new.has_item(item.id)]
    dropped += [k for k in answers if not old.has_item(k) and not new.has_item(k)]
    return kept, dropped


def suggested_items(template: Template, kind: IdentifierKind) -> list[Item]:
    """Items whose ``suggest_on`` includes this identifier kind, in template order."""
    kind = IdentifierKind.parse(kind)
    return [item for item in template.items if kind in item.suggest_on]
