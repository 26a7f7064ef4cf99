"""The application's own tables (accounts, sign-in, audit, sync changes).

The domains' tables are registered by the composition root: ``create_app`` imports each
domain package (``register_domains``), and each package's ``__init__`` imports its models,
so the metadata (and Alembic) sees the whole schema once the app exists, and nothing in
``service_app`` imports a domain.
"""
from .audit import AuditEntry  # noqa: F401
from .auth.models import AuthSession, ConsoleSession, PasswordResetCode  # noqa: F401
from .changes import SyncChange  # noqa: F401
from .users.models import User  # noqa: F401
