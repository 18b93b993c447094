"""What other apps add to a ticket's life, without `tickets` importing them.

`tickets` calls these hooks; an app registers its functions in its `AppConfig.ready`, the
way access rules are registered (`orgs.access.register`). `dispatch` registers the model's
advice at intake, its learning when a person assigns a category, and the advice and similar
tickets shown on a ticket's page. With nothing registered, a hook returns its default and a
ticket simply waits for a person.

- `advise(text, category, region)`: read before intake's transaction; never raises.
- `received(ticket, advice)`: inside intake's transaction (stores the suggestion).
- `after_received(ticket, suggestion, advice)`: after it commits (a confident auto-dispatch).
- `assigned(actor, ticket)`: a person dispatched with (or kept) a category.
- `advice(user, ticket)`: the suggestion and routed unit for the ticket page and the API.
- `similar_open(user, ticket)`: open tickets that say the same, for a merge.
- `swept(now)`: at the end of `jiceng sweep`, another app's reminders (evaluation: 整改 items
  falling due); returns how many it queued.
"""

from collections.abc import Callable

NAMES = frozenset(
    {"advise", "received", "after_received", "assigned", "advice", "similar_open", "swept"}
)

_registry: dict[str, Callable] = {}


def register(name: str, fn: Callable) -> None:
    if name not in NAMES:
        raise KeyError(f"no ticket hook named {name!r}")
    _registry[name] = fn


def call(name: str, *args, default=None, **kwargs):
    fn = _registry.get(name)
    return default if fn is None else fn(*args, **kwargs)
