"""An alias kept for task rows already stored: `jiceng.tickets.followup.follow_up` is the path
deployments' queues hold for tasks enqueued before the follow-up moved to
`jiceng.tickets.services.followup`. It resolves to the same task. Nothing in jiceng imports
this module."""

from .services.followup import (  # noqa: F401
    CATCH_UP_AFTER,
    catch_up,
    enqueue,
    failed_recently,
    follow_up,
    prune,
    run,
    waiting,
)
