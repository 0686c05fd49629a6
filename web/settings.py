"""The web app's own settings: where it listens and how it is protected
(``IEIWATCH_WEB_*`` environment variables)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ieiwatch.domain import IeiwatchError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


class WebError(IeiwatchError):
    """The web app cannot start as asked."""


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IEIWATCH_WEB_", extra="ignore")

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    password: SecretStr | None = None
    """Asked for by the browser (HTTP Basic, any user name) when set."""
    token: SecretStr | None = None
    """For scripts: ``Authorization: Bearer <token>`` on every page and the API."""

    @property
    def protected(self) -> bool:
        return bool(self.secret())

    def secret(self) -> str:
        for value in (self.password, self.token):
            if value is not None and value.get_secret_value():
                return value.get_secret_value()
        return ""

    def feed_token(self) -> str:
        """A read-only token for feed URLs, derived from the secret: it opens the feeds
        and nothing else, and changes when the password does."""
        secret = self.secret()
        if not secret:
            return ""
        return hmac.new(secret.encode(), b"ieiwatch feed", hashlib.sha256).hexdigest()[:32]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: WebSettings) -> None:
    """Loopback is safe without a password; any other address is reachable by others."""
    if not is_loopback(settings.host) and not settings.protected:
        raise WebError(
            f"refusing to listen on {settings.host}, reachable from other machines, without "
            "a password: set IEIWATCH_WEB_PASSWORD (or IEIWATCH_WEB_TOKEN), or bind to "
            "127.0.0.1"
        )
