"""Unbound extension instances; create_app binds them."""
from flask_jwt_extended import JWTManager, get_jwt
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from .api import Api
from .compression import Compress
from .database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
jwt = JWTManager()
api = Api()
limiter = Limiter(key_func=get_remote_address)
compress = Compress()


def user_key():
    """Rate-limit key of the signed-in user (call after the token is verified)."""
    return f"user:{get_jwt().get('sub')}"
