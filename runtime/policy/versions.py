"""Policy versions kept with the data (VER-1, VER-2).

A build is a policy version, named by its manifest's `schema_hash`. At start the
current build is copied into `<data dir>/policy_versions/<hash>/` (content
addressed, written once), and every version a stored declaration names is
loaded from there beside the current one. A declaration is then checked,
routed, shown, reviewed and printed with the services of its own version
(`scoped`), while new declarations use the current build. Old declarations
keep working when build/ moves on, even when git history is gone; a data dir
whose declarations name a version that is not stored refuses to start.
"""

from __future__ import annotations

import contextvars
import dataclasses
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.environment
import jinja2.runtime
from starlette.requests import Request

from runtime.bundle import BuildError, Bundle, load_bundle, verified_manifest
from runtime.storage import Database
from runtime.web.forms import install_template_helpers
from runtime.web.http import Services

STORE = "policy_versions"
EXTRA = "policy_versions"
IMPORT_HINT = "python -m runtime import-version --data-dir {data_dir} <that version's build/>"


def store_dir(data_dir: Path) -> Path:
    return data_dir / STORE


def import_build(build_dir: Path, data_dir: Path, bundle: Bundle | None = None) -> str:
    """Copy a build into the data dir's store (once per version); returns its version."""
    bundle = bundle or load_bundle(build_dir)  # refuses a build edited by hand
    target = store_dir(data_dir) / bundle.schema_hash
    if (target / "manifest.json").is_file():
        stored = json.loads((target / "manifest.json").read_text("utf-8"))
        if stored.get("files") == bundle.manifest.get("files"):
            return bundle.schema_hash
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=target.parent))
    try:
        for relpath in [*(bundle.manifest.get("files") or {}), "manifest.json"]:
            destination = staging / relpath
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(build_dir / relpath, destination)
        if target.exists():  # same policy compiled again by a newer generator: the newer one serves
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return bundle.schema_hash


def needed(storage: Database) -> dict[str, int]:
    """Every version stored declarations name, with how many name it."""
    rows = storage.all("SELECT schema_hash, COUNT(*) AS n FROM declarations GROUP BY schema_hash")
    return {str(r["schema_hash"]): int(r["n"]) for r in rows}


# what `x.name` finds on a plain dict before its items: dict's own methods and attributes
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PageTemplate(jinja2.Template):
    """A page template whose render leaves nothing for the garbage collector.

    `{% import "fields/<form>.html" as f with context %}` builds the macros again on every render,
    and they and the context that holds them point at each other: objects in reference cycles,
    which only the collector frees, and its passes stop every connection of the process (several
    a second under load, up to tens of milliseconds each).
    Once the page is rendered those macros are done with, so their context lets go of them."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        token = _IMPORTED.set([])
        try:
            return super().render(*args, **kwargs)
        finally:
            for context in _IMPORTED.get() or []:
                context.vars.clear()
                context.exported_vars.clear()
            _IMPORTED.reset(token)

    def make_module(
        self, vars: dict[str, Any] | None = None, shared: bool = False, locals: Mapping[str, Any] | None = None
    ) -> jinja2.environment.TemplateModule:
        context = self.new_context(vars, shared, locals)
        imported = _IMPORTED.get()
        # shared: imported with the page's context, for this render only (a module imported
        # without context is made once, unshared, and kept for every render: left alone)
        if shared and imported is not None:
            imported.append(context)
        return jinja2.environment.TemplateModule(self, context)


# the contexts of the modules imported with context during the render under way
_IMPORTED: contextvars.ContextVar[list[jinja2.runtime.Context] | None] = contextvars.ContextVar(
    "imported", default=None
)


class PageEnvironment(jinja2.Environment):
    """Jinja as the pages use it, with one shortcut. Templates read compiled descriptors and rows
    (plain dicts) as `d.title`, and Jinja looks for an attribute first: a failed `getattr` (an
    exception) before every item, two exceptions for a key that is missing, a few hundred per
    page, about a quarter of a section page's render. For a plain dict this asks for the item
    straight away; the answer is the same, since only dict's own attributes come first."""

    template_class = PageTemplate

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def template_environment(build_dir: Path, *, reload: bool = False) -> jinja2.Environment:
    """The pages of one build. A build is read once at start, so its templates are not looked
    at on disk again (a stat per template per page) unless `reload` (dev mode) asks for it."""
    return PageEnvironment(
        loader=jinja2.FileSystemLoader(build_dir / "templates"),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=reload,
    )


@dataclass
class PolicyVersions:
    """The current version and every older one in use, each with its own services."""

    current: str
    data_dir: Path
    services: dict[str, Services] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)  # versions stored declarations use, checked at start

    def bundles(self) -> dict[str, Bundle]:
        return {version: self.of(version).bundle for version in sorted({*self.services, *self.known})}

    def of(self, version: str) -> Services:
        found = self.services.get(version)
        if found is None:  # e.g. a migration run meanwhile named a version this process never loaded
            found = self._load(version)
        return found

    def _load(self, version: str) -> Services:
        current = self.services[self.current]
        path = store_dir(self.data_dir) / version
        if not (path / "manifest.json").is_file():
            raise BuildError(missing_message(version, self.data_dir, None))
        bundle = load_bundle(path)
        templates = template_environment(path)
        scoped = dataclasses.replace(current, bundle=bundle, templates=templates)
        # the current build's page helpers, then those that read policy bound to this version
        for name, value in current.templates.globals.items():
            templates.globals.setdefault(name, value)
        for name, value in current.templates.filters.items():
            templates.filters.setdefault(name, value)
        install_template_helpers(scoped)
        self.services[version] = scoped
        return scoped


def missing_message(version: str, data_dir: Path, count: int | None) -> str:
    used = f" used by {count} declaration(s)" if count is not None else ""
    return (
        f"policy version {version}{used} is not stored in {store_dir(data_dir)}; restore that folder from a"
        f" backup of the data dir, or import the version's build: {IMPORT_HINT.format(data_dir=data_dir)}"
    )


def install(svc: Services, data_dir: Path) -> PolicyVersions:
    """Store the current build and load every version the data needs; refuses a missing one."""
    current = import_build(svc.bundle.root, data_dir, svc.bundle)
    versions = PolicyVersions(current=current, data_dir=data_dir, services={current: svc})
    for version, count in sorted(needed(svc.storage).items()):
        if version == current:
            continue
        if not (store_dir(data_dir) / version / "manifest.json").is_file():
            raise BuildError(missing_message(version, data_dir, count))
        # checked whole now (a version edited by hand refuses the start); its forms and
        # validators are built when a declaration of it is first served
        verified_manifest(store_dir(data_dir) / version)
        versions.known.add(version)
    svc.extras[EXTRA] = versions
    return versions


def scoped(svc: Services, declaration: Mapping[str, object]) -> Services:
    """The services of the version this declaration lives under (VER-1)."""
    versions: PolicyVersions | None = svc.extras.get(EXTRA)
    version = declaration.get("schema_hash")
    if versions is None or not version or version == svc.bundle.schema_hash:
        return svc
    return versions.of(str(version))


def current(svc: Services) -> Services:
    """The services of the current build, from any version's services."""
    versions: PolicyVersions | None = svc.extras.get(EXTRA)
    return svc if versions is None else versions.services[versions.current]


def use(request: Request, declaration: Mapping[str, object]) -> Services:
    """Scope the rest of this request (pages rendered, messages) to the declaration's version."""
    found = scoped(current(request.app.state.services), declaration)
    request.state.services = found
    return found


def loaded(svc: Services) -> dict[str, Bundle]:
    """Every version this process serves, by name (never loads one a request names)."""
    versions: PolicyVersions | None = svc.extras.get(EXTRA)
    return {svc.bundle.schema_hash: svc.bundle} if versions is None else versions.bundles()
