"""The app registry: each app declares what it adds to the platform; core collects it.

An app ``ronghe.platform.X`` that is in ``INSTALLED_APPS`` and has a module ``X/platform.py`` defining
``app = PlatformApp(...)`` gets, with no other file touched: its pages mounted at ``url_prefix``, its API
routes on the one router, its menu entries and home-page journey steps, its periodic tasks in the scheduler,
its demo loader in ``ronghe demo``, and its audit object types in ``ronghe audit``. See "How to add an app" in
docs/architecture.md.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavEntry:
    """A top-menu link. ``kinds``: shown only to members of these organization kinds (None: everyone)."""

    label: str | Promise
    url_name: str
    order: int = 100
    kinds: frozenset[str] | None = None
    signed_in: bool = False


@dataclass(frozen=True)
class JourneyStep:
    """One link on the home page's card for a role (an organization kind)."""

    kind: str
    label: str | Promise
    url_name: str
    order: int = 100


@dataclass(frozen=True)
class Role:
    """A role (organization kind) as the home page introduces it; declared by the app that owns the kinds."""

    kind: str
    title: str | Promise
    summary: str | Promise
    order: int = 100


@dataclass(frozen=True)
class Periodic:
    """A django-tasks task (``"module:attribute"``) the scheduler enqueues every ``every``."""

    task_path: str
    every: timedelta


@dataclass(frozen=True)
class Notice:
    """One event as one recipient may read it: a translatable ``message`` (a msgid with ``{name}`` fields),
    the values for those fields (already limited to what the recipient may see), and where to go next."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class PlatformApp:
    label: str
    url_prefix: str = ""
    urls: str | None = None  # module with ``app_name`` and ``urlpatterns``
    api: str | None = None  # "module:function" called as register(router)
    nav: tuple[NavEntry, ...] = ()
    journeys: tuple[JourneyStep, ...] = ()
    roles: tuple[Role, ...] = ()
    periodic: tuple[Periodic, ...] = ()
    demo_loader: str | None = None  # "module:function", called as fn(demo) by ``ronghe demo``
    demo_order: int = 100
    audit_types: tuple[str, ...] = ()  # ``app_label.model`` of the objects its services audit
    #: who must know of each of its events: action ("demand.invited") → "module:function" taking the event
    #: (a ``core.models.Event`` row) and returning the organization ids to tell
    recipients: dict[str, str] = field(default_factory=dict)
    #: links it adds to another app's object page: object type ("demand.demand") → "module:function" taking
    #: (user, obj) and returning ``[(label, url), …]`` — so a lower app's page offers a higher app's next step
    #: (open bidding on a demand) without importing it
    object_links: dict[str, str] = field(default_factory=dict)
    #: "module" with ``ENGLISH_OPTIONS`` (model label → label function) and optionally ``english_choice(value,
    #: label)``: how its reference data reads in English in the form helpers' choices
    labels: str | None = None
    #: an app that delivers events to people (the inbox) names its "module:function" here: ``sink(event, action)``
    event_sink: str | None = None
    #: how its events read in one recipient's inbox: "module:function" taking ``(event, action, user)`` and
    #: returning a :class:`Notice` — the app that owns the event decides, as only it knows what the user may see
    notices: str | None = None
    #: templates included in the top bar's account area (the inbox's unread count), in INSTALLED_APPS order
    topbar: tuple[str, ...] = ()
    #: what occupies providers' monthly capacity (deals: contracts awaiting signatures or in performance):
    #: "module:function" taking ``provider_ids`` (an iterable of organization ids, or None for all) and
    #: returning ``{(provider_org_id, item_code): count}`` — so matching subtracts it without importing the app
    commitments: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@cache
def platform_apps() -> tuple[PlatformApp, ...]:
    """Every installed app's declaration, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.platform")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.platform":
                raise
            continue
        declared = getattr(module, "app", None)
        if not isinstance(declared, PlatformApp):
            raise TypeError(f"{config.name}.platform must define app = PlatformApp(...)")
        found.append(declared)
    return tuple(found)


def nav_entries() -> list[NavEntry]:
    return sorted((e for a in platform_apps() for e in a.nav), key=lambda e: e.order)


def journey_steps(kind: str) -> list[JourneyStep]:
    return sorted((s for a in platform_apps() for s in a.journeys if s.kind == kind), key=lambda s: s.order)


def roles() -> list[Role]:
    return sorted((r for a in platform_apps() for r in a.roles), key=lambda r: r.order)


def periodic_tasks() -> list[Periodic]:
    return [p for a in platform_apps() for p in a.periodic]


def demo_loaders() -> list[str]:
    return [a.demo_loader for a in sorted(platform_apps(), key=lambda a: a.demo_order) if a.demo_loader]


def audit_types() -> list[str]:
    return sorted({t for a in platform_apps() for t in a.audit_types})


def recipients_for(action: str) -> list[str]:
    """The recipient resolvers declared for ``action`` by any app."""
    return [a.recipients[action] for a in platform_apps() if action in a.recipients]


def object_links(object_type: str, user: Any, obj: Any) -> list[tuple[str, str]]:
    """Every installed app's links for this object and user, in INSTALLED_APPS order."""
    out: list[tuple[str, str]] = []
    for a in platform_apps():
        if object_type in a.object_links:
            out.extend(resolve(a.object_links[object_type])(user, obj))
    return out


@cache
def english_options() -> dict[str, Any]:
    """Model label → its English option label, from every app's ``labels`` module."""
    out: dict[str, Any] = {}
    for a in platform_apps():
        if a.labels:
            out.update(getattr(importlib.import_module(a.labels), "ENGLISH_OPTIONS", {}))
    return out


@cache
def english_choice_functions() -> tuple[Any, ...]:
    return tuple(fn for a in platform_apps() if a.labels
                 if (fn := getattr(importlib.import_module(a.labels), "english_choice", None)) is not None)


def event_sinks() -> list[str]:
    return [a.event_sink for a in platform_apps() if a.event_sink]


def notices_for(app_label: str) -> str | None:
    """The describer of the app that owns an event model (its ``app_label``), if it declared one."""
    return next((a.notices for a in platform_apps() if a.label == app_label and a.notices), None)


def commitments(provider_ids: Any = None) -> dict[tuple[int, str], int]:
    """Units of monthly capacity in use, ``{(provider_org_id, item_code): count}``, summed over every app that
    declares ``commitments``; only the given providers when ``provider_ids`` is not None. Empty when none."""
    ids = None if provider_ids is None else list(provider_ids)
    total: dict[tuple[int, str], int] = {}
    for a in platform_apps():
        if a.commitments:
            for key, n in resolve(a.commitments)(ids).items():
                if n:
                    total[key] = total.get(key, 0) + int(n)
    return total


def topbar_templates() -> list[str]:
    return [t for a in platform_apps() for t in a.topbar]


def resolve(path: str) -> Any:
    """``"module:attribute"`` → the attribute."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)
