"""Every route of a URLconf as Django's resolver sees it (included apps, DRF routers, formats)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

TENANT_URLCONF = "config.urls_tenants"  # an organisation's host, e.g. alpha.localhost
PUBLIC_URLCONF = "config.urls_public"  # the regional host, localhost


@dataclass(frozen=True)
class Route:
    urlconf: str
    pattern: str  # the prefixes and the pattern joined, as Django prints them
    name: str | None  # with its namespaces, e.g. "roadmap:item"
    view: str  # dotted path of the view, for messages
    kwargs: tuple[str, ...]  # names of the path parameters
    format_of: str | None = None  # the pattern this is the DRF format-suffix twin of

    @property
    def label(self) -> str:
        return self.name or self.pattern


def _view_path(pattern: URLPattern) -> str:
    callback = pattern.callback
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    target = cls or callback
    return f"{target.__module__}.{getattr(target, '__qualname__', repr(target))}"


def _walk(
    patterns: Sequence[URLPattern | URLResolver], prefix: str, namespace: str, groups: set[str]
) -> Iterator[tuple[str, str | None, str, set[str]]]:
    for entry in patterns:
        names = groups | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, names)
        else:
            name = f"{namespace}{entry.name}" if entry.name else None
            yield prefix + str(entry.pattern), name, _view_path(entry), names


def routes_of(urlconf: str) -> list[Route]:
    """The URLconf's routes; a DRF `.json` twin points at the route it doubles."""
    walked = list(_walk(get_resolver(urlconf).url_patterns, "", "", set()))
    base_of = {name: pattern for pattern, name, _, kwargs in walked if "format" not in kwargs}
    return [
        Route(
            urlconf=urlconf,
            pattern=pattern,
            name=name,
            view=view,
            kwargs=tuple(sorted(kwargs)),
            format_of=base_of.get(name or "") if "format" in kwargs else None,
        )
        for pattern, name, view, kwargs in walked
    ]
