"""The idle timeout without a database write on every request.

A signed-in session ends after `SESSION_IDLE_MINUTES` without a request. Django's way to get that is
`SESSION_SAVE_EVERY_REQUEST`: each request writes its session back with a new expiry — one UPDATE and a commit
per page view, for every collector on the desk. `RenewingSessionMiddleware` writes it back only when the last
renewal is older than a thirtieth of the idle time (a minute at the default 30 minutes): the session still ends
after the idle time without a request, at most that thirtieth sooner — never later. A session that changed
(signing in, a message to show) is written as always, and its renewal time with it; signing in stamps it
(`stamp_renewal`), so the first page after it writes nothing either.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware

RENEWED = "_renewed_at"  # the session key holding when its expiry was last moved (Unix seconds)


def renewal_step() -> int:
    """How long (seconds) a session's expiry may stay where it is: a thirtieth of the idle time, at least 1."""
    return max(1, settings.SESSION_COOKIE_AGE // 30)


def stamp_renewal(sender, request, user, **kwargs) -> None:
    """On signing in (Django's `user_logged_in`): the new session's renewal time, saved with it."""
    session = getattr(request, "session", None)
    if session is not None:
        session[RENEWED] = int(time.time())


class RenewingSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            stamp = session.get(RENEWED)
            if session.modified or not isinstance(stamp, int) or now - stamp >= renewal_step():
                session[RENEWED] = now  # marks it modified: written with a new expiry below
        return super().process_response(request, response)
