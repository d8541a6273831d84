"""The window's navigation pages, each built the first time something needs it.

Building every page when the store opens put each page's widgets, and the first read of its
data, on the path to "fully open"; now only the page shown is built then. The others are
built when they are brought forward, or when an action asks for one (``pages[key]``,
:meth:`PageSet.key_of`), so their actions are enabled from the start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from caseapp.ui.features import PageSpec
    from caseapp.ui.widgets.panes import Page


class PageSet(Mapping[str, "Page"]):
    """Pages by key in navigation order; ``pages[key]`` builds the page if it is not yet."""

    def __init__(self, build: Callable[[PageSpec], Page]) -> None:
        self._build = build
        self._specs: dict[str, PageSpec] = {}
        self._built: dict[str, Page] = {}

    def add(self, spec: PageSpec) -> None:
        """List ``spec``'s page (not built yet)."""
        self._specs[spec.key] = spec

    def __getitem__(self, key: str) -> Page:
        page = self._built.get(key)
        if page is None:
            spec = self._specs[key]
            page = self._built[key] = self._build(spec)
        return page

    def __contains__(self, key: object) -> bool:  # without building (Mapping's would)
        return key in self._specs

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def built(self, key: str) -> Page | None:
        """The page ``key`` if it has been built, else None (nothing is built)."""
        return self._built.get(key)

    def key_of(self, cls: type[Page]) -> str:
        """The key of the page that is a ``cls``, building only what must be built to know."""
        for key, page in self._built.items():
            if isinstance(page, cls):
                return key
        for key, spec in self._specs.items():
            if isinstance(spec.factory, type) and issubclass(spec.factory, cls):
                return key
        for key in self._specs:  # factories that are functions: only the page tells
            if key not in self._built and isinstance(self[key], cls):
                return key
        raise KeyError(cls.__name__)
