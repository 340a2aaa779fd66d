"""The Flask extensions, created once here and bound to each app with init_app (app factory pattern)."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# No default limits: only the log-in is limited (auth.py). Storage: RATELIMIT_STORAGE_URI (memory by
# default; a shared store such as redis:// when several server processes must share the counts).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
