"""One permission rule per action, asked by services, pages and the API alike.

Each app declares its rules in ``<app>/rules.py``::

    demand_rules = Rules("demand.demand")

    @demand_rules.rule("publish", "只有需求方可以发布 (only the owner may publish)")
    def can_publish(user, demand) -> bool: ...

Services call ``demand_rules.require(user, "publish", demand)`` (``PermissionDenied`` with the rule's message);
views pass ``demand_rules.allowed(user, demand)`` to templates, which show exactly the buttons it holds; the
API uses :class:`RulePermission`. A rule answers *may this user do this to this object now*, state included,
so the three can never disagree — ``test_rules`` matrices check it for every role × state × action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework import permissions

Predicate = Callable[[Any, Any], bool]

_ALL: dict[str, Rules] = {}


@dataclass(frozen=True)
class Rule:
    action: str
    predicate: Predicate
    message: str


class Rules:
    """The rules of one object type (``app_label.model``)."""

    def __init__(self, object_type: str) -> None:
        self.object_type = object_type
        self._rules: dict[str, Rule] = {}
        _ALL[object_type] = self

    def rule(self, action: str, message: str = "无权执行此操作 (not allowed)") -> Callable[[Predicate], Predicate]:
        def register(fn: Predicate) -> Predicate:
            if action in self._rules:
                raise ValueError(f"{self.object_type}: rule {action!r} declared twice")
            self._rules[action] = Rule(action, fn, message)
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
        return bool(rule.predicate(user, obj))

    def require(self, user: Any, action: str, obj: Any) -> None:
        if not self.can(user, action, obj):
            raise PermissionDenied(self._rules[action].message)

    def allowed(self, user: Any, obj: Any) -> frozenset[str]:
        """Every action ``user`` may take on ``obj`` now: what a page shows as buttons."""
        return frozenset(a for a, r in self._rules.items() if r.predicate(user, obj))


def rules_for(object_type: str) -> Rules:
    return _ALL[object_type]


def all_rules() -> dict[str, Rules]:
    return dict(_ALL)


class RulePermission(permissions.BasePermission):
    """DRF object permission from a viewset's ``rules`` and ``rule_actions`` (viewset action → rule action).

    ``retrieve``/``list`` are decided by the queryset (``restrict(user, "view")``); unsafe actions on an object
    ask the rule, so the API answers 403 exactly where the service would refuse.
    """

    def has_object_permission(self, request, view, obj) -> bool:
        rules: Rules | None = getattr(view, "rules", None)
        action = getattr(view, "rule_actions", {}).get(getattr(view, "action", ""), None)
        if rules is None or action is None:
            return True
        if not rules.can(request.user, action, obj):
            self.message = rules._rules[action].message
            return False
        return True
