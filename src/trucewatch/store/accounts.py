"""Who may use the web app and the API: users with a role, login sessions and API tokens.

Roles are ordered: a viewer reads; an analyst also reviews incidents and records observations;
an admin also manages users, ceasefires and ingestion. Passwords are hashed with argon2id
(argon2-cffi; hashes are upgraded at the next login when its parameters change). Session and
API token secrets are random (`secrets`), handed to the client once and stored only as their
SHA-256, so a copy of the database logs no one in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update

from trucewatch.store.schema import api_tokens, sessions, users
from trucewatch.store.sql import SqlStore

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
MIN_PASSWORD = 10
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")


class AccountError(ValueError):
    """A user name, password or role that cannot be accepted; nothing was changed."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: Role
    disabled: bool = False

    def can(self, role: Role) -> bool:
        """Whether this user has `role` or a higher one."""
        return not self.disabled and ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class NewSession:
    token: str  # the secret for the cookie; only its hash is stored
    session: Session


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _role(value: str) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise AccountError(f"unknown role {value!r}: use one of {', '.join(ROLES)}")


def _user(row: object) -> User:
    return User(
        id=int(row.id),  # type: ignore[attr-defined]
        username=str(row.username),  # type: ignore[attr-defined]
        role=_role(str(row.role)),  # type: ignore[attr-defined]
        disabled=bool(row.disabled),  # type: ignore[attr-defined]
    )


class Accounts:
    """Users, sessions and tokens, in the registry's own database."""

    def __init__(self, store: SqlStore, hasher: PasswordHasher | None = None) -> None:
        self.store = store
        self.hasher = hasher or PasswordHasher()
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))  # see authenticate

    # -- users ---------------------------------------------------------------------------------

    def add_user(self, username: str, password: str, role: str) -> User:
        if not _USERNAME.fullmatch(username):
            raise AccountError(
                f"user name {username!r}: 1-64 letters, digits or . _ @ -, starting with a "
                "letter or digit"
            )
        self._check_password(password)
        checked = _role(role)
        with self.store.write() as conn:
            # user names differ by more than case: "Viewer1" beside "viewer1" misleads (the
            # names are ASCII by _USERNAME, so lower() means the same on every backend)
            same = select(users.c.username).where(func.lower(users.c.username) == username.lower())
            existing = conn.scalar(same)
            if existing is not None:
                raise AccountError(f"user {username!r} already exists (as {existing!r})")
            result = conn.execute(
                insert(users).values(
                    username=username,
                    password_hash=self.hasher.hash(password),
                    role=checked,
                    created_at=dt.datetime.now(dt.UTC),
                    disabled=False,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
        return User(id=int(key[0]), username=username, role=checked)

    def _check_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        if len(set(password)) < 3 or not password.strip():
            raise AccountError("a password needs at least 3 different characters, not all spaces")

    def users(self) -> list[User]:
        with self.store.read() as conn:
            return [_user(row) for row in conn.execute(select(users).order_by(users.c.username))]

    def get(self, username: str) -> User | None:
        with self.store.read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        return _user(row) if row is not None else None

    def set_password(self, username: str, password: str) -> None:
        """A new password; every session of the user ends."""
        self._check_password(password)
        self._update(username, password_hash=self.hasher.hash(password))

    def set_role(self, username: str, role: str) -> None:
        self._update(username, role=_role(role))

    def set_disabled(self, username: str, disabled: bool) -> None:
        self._update(username, disabled=disabled)

    def _update(self, username: str, **values: object) -> None:
        with self.store.write() as conn:
            user_id = conn.scalar(select(users.c.id).where(users.c.username == username))
            if user_id is None:
                raise AccountError(f"no user {username!r}")
            conn.execute(update(users).where(users.c.id == user_id).values(**values))
            conn.execute(delete(sessions).where(sessions.c.user_id == user_id))

    def authenticate(self, username: str, password: str) -> User | None:
        """The user whose password this is, if enabled; None otherwise. An unknown name costs
        a hash check too, so timing does not tell which names exist."""
        with self.store.read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        stored = str(row.password_hash) if row is not None else self._dummy
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        user = _user(row)
        if user.disabled:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.store.write() as conn:
                conn.execute(
                    update(users)
                    .where(users.c.id == user.id)
                    .values(password_hash=self.hasher.hash(password))
                )
        return user

    # -- sessions ------------------------------------------------------------------------------

    def start_session(self, user: User, ttl: dt.timedelta) -> NewSession:
        """A new session (a new id at every login: a session id known before it is never
        promoted) with its own CSRF token."""
        token = secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        session = Session(user=user, csrf=secrets.token_urlsafe(32), expires_at=now + ttl)
        with self.store.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(
                insert(sessions).values(
                    id=digest(token),
                    user_id=user.id,
                    csrf=session.csrf,
                    created_at=now,
                    expires_at=session.expires_at,
                )
            )
        return NewSession(token=token, session=session)

    def session(self, token: str) -> Session | None:
        """The live session of a cookie value; None when unknown, expired or its user disabled."""
        query = (
            select(sessions.c.csrf, sessions.c.expires_at, users)
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.id == digest(token))
        )
        with self.store.read() as conn:
            row = conn.execute(query).first()
        if row is None or row.expires_at <= dt.datetime.now(dt.UTC):
            return None
        user = _user(row)
        if user.disabled:
            return None
        return Session(user=user, csrf=str(row.csrf), expires_at=row.expires_at)

    def end_session(self, token: str) -> None:
        with self.store.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.id == digest(token)))

    # -- API tokens ----------------------------------------------------------------------------

    def add_token(self, username: str, name: str) -> str:
        """A new API token for `username`; the secret is returned once and never stored."""
        secret = "tw_" + secrets.token_urlsafe(32)
        with self.store.write() as conn:
            user_id = conn.scalar(select(users.c.id).where(users.c.username == username))
            if user_id is None:
                raise AccountError(f"no user {username!r}")
            conn.execute(
                insert(api_tokens).values(
                    token_hash=digest(secret),
                    user_id=user_id,
                    name=name,
                    created_at=dt.datetime.now(dt.UTC),
                    revoked=False,
                )
            )
        return secret

    def token_user(self, secret: str) -> User | None:
        query = (
            select(users)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == digest(secret), api_tokens.c.revoked.is_(False))
        )
        with self.store.read() as conn:
            row = conn.execute(query).first()
        user = _user(row) if row is not None else None
        return user if user is not None and not user.disabled else None

    def revoke_tokens(self, username: str, name: str | None = None) -> int:
        """Revoke a user's tokens (those named `name`, or all); how many were revoked."""
        with self.store.write() as conn:
            user_id = conn.scalar(select(users.c.id).where(users.c.username == username))
            if user_id is None:
                raise AccountError(f"no user {username!r}")
            where = [api_tokens.c.user_id == user_id, api_tokens.c.revoked.is_(False)]
            if name is not None:
                where.append(api_tokens.c.name == name)
            return conn.execute(update(api_tokens).where(*where).values(revoked=True)).rowcount
