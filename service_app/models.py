"""Import every model so that the metadata (and Alembic) sees the whole schema."""
from .auth.models import AuthSession, PasswordResetCode  # noqa: F401
from .users.models import User  # noqa: F401
