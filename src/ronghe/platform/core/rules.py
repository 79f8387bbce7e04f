"""One permission rule per action, asked by services, pages and the API alike.

Each app declares its rules in ``<app>/rules.py``::

    demand_rules = Rules("demand.demand")

    @demand_rules.rule("publish", "只有需求方可以发布 (only the owner may publish)")
    def can_publish(user, demand) -> bool: ...

Services call ``demand_rules.require(user, "publish", demand)`` (``PermissionDenied`` with the rule's message);
views pass ``demand_rules.allowed(user, demand)`` to templates, which show exactly the buttons it holds; the
API uses :class:`RulePermission`. A rule answers *may this user do this to this object now*, state included,
so the three can never disagree — ``test_rules`` matrices check it for every role × state × action.

A rule may split *who* from *when*: ``@rules.rule("publish", msg, when=lambda d: d.state == "draft",
when_message=...)``. Then ``require`` answers 403 (``PermissionDenied``) to someone who may never do it, and 400
(``ValidationError`` on ``state``) to the right person at the wrong moment — so an outsider learns nothing about
the object's state from the error, and the owner learns what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import permissions

Predicate = Callable[[Any, Any], bool]

_ALL: dict[str, Rules] = {}


@dataclass(frozen=True)
class Rule:
    action: str
    predicate: Predicate  # who (and, without ``when``, also when)
    message: str
    when: Callable[[Any], bool] | None = None
    when_message: str = "当前状态下不能执行此操作 (not possible in the current state)"

    def holds(self, user: Any, obj: Any) -> bool:
        return bool(self.predicate(user, obj)) and (self.when is None or bool(self.when(obj)))


class Rules:
    """The rules of one object type (``app_label.model``)."""

    def __init__(self, object_type: str) -> None:
        self.object_type = object_type
        self._rules: dict[str, Rule] = {}
        _ALL[object_type] = self

    def rule(self, action: str, message: str = "无权执行此操作 (not allowed)", *,
             when: Callable[[Any], bool] | None = None, when_message: str | None = None,
             ) -> Callable[[Predicate], Predicate]:
        def register(fn: Predicate) -> Predicate:
            if action in self._rules:
                raise ValueError(f"{self.object_type}: rule {action!r} declared twice")
            extra = {"when_message": when_message} if when_message else {}
            self._rules[action] = Rule(action, fn, message, when, **extra)
            return fn

        return register

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self._rules)

    def can(self, user: Any, action: str, obj: Any) -> bool:
        try:
            rule = self._rules[action]
        except KeyError:
            raise KeyError(f"{self.object_type} has no rule {action!r}") from None
        return rule.holds(user, obj)

    def who(self, user: Any, action: str, obj: Any) -> bool:
        """Whether ``user`` is someone who may ever do this to ``obj`` (the rule without its *when*)."""
        return bool(self._rules[action].predicate(user, obj))

    def message(self, action: str) -> str:
        return self._rules[action].message

    def require(self, user: Any, action: str, obj: Any) -> None:
        """403 if ``user`` may never do this to ``obj``; 400 (on ``state``) if only the moment is wrong."""
        rule = self._rules[action]
        if not rule.predicate(user, obj):
            raise PermissionDenied(rule.message)
        if rule.when is not None and not rule.when(obj):
            raise ValidationError({"state": [rule.when_message]})

    def allowed(self, user: Any, obj: Any) -> frozenset[str]:
        """Every action ``user`` may take on ``obj`` now: what a page shows as buttons."""
        return frozenset(a for a, r in self._rules.items() if r.holds(user, obj))


def rules_for(object_type: str) -> Rules:
    return _ALL[object_type]


def all_rules() -> dict[str, Rules]:
    return dict(_ALL)


class RulePermission(permissions.BasePermission):
    """DRF object permission from a viewset's ``rules`` and ``rule_actions`` (viewset action → rule action).

    ``retrieve``/``list`` are decided by the queryset (``restrict(user, "view")``); an unsafe action on an object
    asks the rule's *who* before any input is parsed (403), and the service then checks *when* (400) — so the
    API answers exactly as the service would.
    """

    def has_object_permission(self, request, view, obj) -> bool:
        rules: Rules | None = getattr(view, "rules", None)
        action = getattr(view, "rule_actions", {}).get(getattr(view, "action", ""), None)
        if rules is None or action is None:
            return True
        if not rules.who(request.user, action, obj):
            self.message = rules.message(action)
            return False
        return True
