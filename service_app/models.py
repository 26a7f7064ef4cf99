"""Import every model so that the metadata (and Alembic) sees the whole schema."""
from .auth.models import AuthSession, PasswordResetCode  # noqa: F401
from .users.models import User  # noqa: F401
from offices.models import ChangeCounter, Department, Office  # noqa: F401,E402
from service_requests.models import (Attachment, Category, Comment, IdempotencyKey,  # noqa: F401,E402
                                     RequestEvent, ServiceRequest, SlaPolicy)
from .audit import AuditEntry  # noqa: F401,E402
from notifications.models import Delivery, Device, Notification  # noqa: F401,E402
from service_requests.storage_outbox import StorageDeletion  # noqa: F401,E402
from .changes import SyncChange  # noqa: F401,E402
