"""Red-flag templates available to checklists: the bundled ones plus those the user imported.

Bundled templates come from ``resources/redflags/*.toml``; imported ones are stored, validated,
as :class:`TemplateBlob` rows. When a checklist is started on a bundled template, its text is
also stored as a blob, so a case keeps the exact version it started with even if a later
release of the app ships only a newer one. A template that fails to parse is reported as a
problem and never crashes the caller.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, func, select

from caseapp.domain.models import Checklist, TemplateBlob, utcnow
from caseapp.domain.redflags import Template, TemplateError, parse_template
from caseapp.security import audit
from caseapp.services.errors import Conflict, InvalidInput, NotFound
from caseapp.services.workspace import Workspace

#: The template a case's checklist starts on unless another is chosen.
DEFAULT_TEMPLATE_ID = "dprk-remote-it-worker"
#: Largest template file accepted on import.
MAX_TEMPLATE_BYTES = 1_000_000


@dataclass(frozen=True)
class BuiltinSet:
    """Bundled templates by (id, version) with their TOML text, and files that failed."""

    templates: dict[tuple[str, int], tuple[Template, str]]
    problems: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def builtin_templates() -> BuiltinSet:
    """Parse every bundled template once; a broken file becomes a problem, not an exception."""
    from caseapp.resources_access import resource

    found: dict[tuple[str, int], tuple[Template, str]] = {}
    problems: list[str] = []
    for entry in sorted(resource("redflags").iterdir(), key=lambda e: e.name):
        if not entry.is_file() or not entry.name.endswith(".toml"):
            continue
        try:
            text = entry.read_text(encoding="utf-8")
            template = parse_template(text, entry.name)
        except (TemplateError, UnicodeDecodeError, OSError) as exc:
            problems.append(str(exc))
            continue
        key = (template.id, template.version)
        if key in found:
            problems.append(f"{entry.name}: template {template.id!r} v{template.version} is "
                            "bundled twice; ignored")
            continue
        found[key] = (template, text)
    return BuiltinSet(found, tuple(problems))


@functools.lru_cache(maxsize=16)
def _parse_cached(text: str, source_name: str) -> Template:
    return parse_template(text, source_name)


def _blob_template(blob: TemplateBlob) -> Template:
    return _parse_cached(blob.toml, f"stored template {blob.template_id} v{blob.version}")


def resolve_template(session: Session, template_id: str, version: int) -> Template:
    """The template a checklist is pinned to: the stored copy first, else the bundled one."""
    blob = session.exec(select(TemplateBlob).where(TemplateBlob.template_id == template_id,
                                                   TemplateBlob.version == version)).first()
    if blob is not None:
        try:
            return _blob_template(blob)
        except TemplateError as exc:
            raise Conflict(f"Template {template_id} v{version} is stored but no longer "
                           f"valid: {exc}") from None
    bundled = builtin_templates().templates.get((template_id, version))
    if bundled is None:
        raise Conflict(f"Template {template_id} v{version} is not available (neither stored "
                       "nor bundled with this version of caseapp).")
    return bundled[0]


def versions_of(session: Session, template_id: str) -> list[int]:
    """Every available version of a template, ascending."""
    stored = session.exec(select(TemplateBlob.version)
                          .where(TemplateBlob.template_id == template_id)).all()
    bundled = [v for (tid, v) in builtin_templates().templates if tid == template_id]
    return sorted(set(stored) | set(bundled))


def newest_template(session: Session, template_id: str) -> Template:
    """The newest available version of ``template_id``; NotFound names the known ids."""
    versions = versions_of(session, template_id)
    if not versions:
        known = sorted({tid for (tid, _v) in builtin_templates().templates}
                       | set(session.exec(select(TemplateBlob.template_id)).all()))
        raise NotFound(f"No red-flag template {template_id!r}; available: "
                       f"{', '.join(known) or 'none'}.")
    return resolve_template(session, template_id, versions[-1])


def snapshot_builtin(session: Session, template: Template) -> None:
    """Store a bundled template's text so checklists pinned to it survive app upgrades."""
    exists = session.exec(select(TemplateBlob.id).where(
        TemplateBlob.template_id == template.id, TemplateBlob.version == template.version)).first()
    bundled = builtin_templates().templates.get((template.id, template.version))
    if exists is None and bundled is not None:
        session.add(TemplateBlob(template_id=template.id, version=template.version,
                                 toml=bundled[1], imported_at=utcnow()))
        session.flush()


@dataclass(frozen=True)
class TemplateInfo:
    """One available template version, for listings."""

    id: str
    version: int
    title: str
    items: int
    categories: int
    origin: str  # "built-in" or "imported"
    newest: bool
    cases: int

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "version": self.version, "title": self.title,
                "items": self.items, "categories": self.categories, "origin": self.origin,
                "newest": self.newest, "cases": self.cases}


@dataclass(frozen=True)
class TemplateListing:
    """Available templates plus the stored or bundled ones that could not be read."""

    templates: list[TemplateInfo]
    problems: list[str]


def list_templates(ws: Workspace) -> TemplateListing:
    """Every available template version (bundled and imported) with how many cases use it."""
    builtins = builtin_templates()
    problems = list(builtins.problems)
    with ws.session() as session:
        blobs = session.exec(select(TemplateBlob).order_by(col(TemplateBlob.id))).all()
        usage = dict(((tid, v), n) for tid, v, n in session.exec(
            select(Checklist.template_id, Checklist.template_version, func.count())
            .group_by(col(Checklist.template_id), col(Checklist.template_version))).all())
    found: dict[tuple[str, int], tuple[Template, str]] = {
        key: (template, "built-in") for key, (template, _text) in builtins.templates.items()}
    for blob in blobs:
        key = (blob.template_id, blob.version)
        if key in found:
            continue
        try:
            found[key] = (_blob_template(blob), "imported")
        except TemplateError as exc:
            problems.append(str(exc))
    newest: dict[str, int] = {}
    for tid, version in found:
        newest[tid] = max(version, newest.get(tid, 0))
    infos = [TemplateInfo(t.id, t.version, t.title, len(t.items), len(t.categories), origin,
                          newest[t.id] == t.version, usage.get(key, 0))
             for key, (t, origin) in sorted(found.items())]
    return TemplateListing(infos, problems)


def import_template(ws: Workspace, path: Path | str) -> TemplateInfo:
    """Validate and store a custom template file; InvalidInput says exactly what is wrong.

    Re-importing the identical text of an existing version is a no-op; a different text under
    an existing (id, version) is refused (templates must bump ``version`` on any change).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise InvalidInput(f"{path.name}: {size} bytes is too large for a template "
                               f"(limit {MAX_TEMPLATE_BYTES}).")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a folder, not a template file.") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name}: not UTF-8 text (byte {exc.start}).") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the file ({exc.strerror}).") from None
    try:
        template = parse_template(text, path.name)
    except TemplateError as exc:
        raise InvalidInput(str(exc)) from None
    key = (template.id, template.version)
    with ws.transaction() as session:
        existing = session.exec(select(TemplateBlob).where(
            TemplateBlob.template_id == template.id,
            TemplateBlob.version == template.version)).first()
        bundled = builtin_templates().templates.get(key)
        known_text = existing.toml if existing is not None else (bundled[1] if bundled else None)
        if known_text is not None and known_text != text:
            raise InvalidInput(f"{path.name}: template {template.id!r} v{template.version} "
                               "already exists with different content; bump `version` to "
                               "import a changed template.")
        if existing is None and bundled is None:
            session.add(TemplateBlob(template_id=template.id, version=template.version,
                                     toml=text, imported_at=utcnow()))
            session.flush()
            audit.append(session, "template.imported", "template",
                         f"{template.id}@{template.version}",
                         {"file": path.name, "title": template.title,
                          "items": len(template.items),
                          "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
        newest = max(versions_of(session, template.id))
        cases = session.exec(select(func.count()).select_from(Checklist).where(
            Checklist.template_id == template.id,
            Checklist.template_version == template.version)).one()
    return TemplateInfo(template.id, template.version, template.title, len(template.items),
                        len(template.categories), "built-in" if bundled else "imported",
                        newest == template.version, cases)
