"""`trucewatch user add|list|passwd|role|disable|enable|token|revoke`: accounts of the web app."""

from __future__ import annotations

import click

from trucewatch.cli.options import db_option, registry

ROLE_CHOICE = click.Choice(["viewer", "analyst", "admin"])


@click.group()
def user() -> None:
    """Users of the web app and their API tokens."""


def _password(ctx_password: str | None) -> str:
    if ctx_password is not None:
        return ctx_password
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@user.command("add")
@db_option
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, default="viewer", show_default=True)
@click.option(
    "--password",
    envvar="TRUCEWATCH_PASSWORD",
    help="The password (default: asked for; or TRUCEWATCH_PASSWORD).",
)
def add(db: str, username: str, role: str, password: str | None) -> None:
    """Add a user with a role: viewer (reads), analyst (reviews), admin (everything)."""
    from trucewatch.store.accounts import AccountError, Accounts

    with registry(db) as store:
        try:
            created = Accounts(store).add_user(username, _password(password), role)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"added {created.username} ({created.role})", err=True)


@user.command("list")
@db_option
def list_users(db: str) -> None:
    """List the users and their roles."""
    from trucewatch.store.accounts import Accounts

    with registry(db, must_exist=True) as store:
        for u in Accounts(store).users():
            click.echo(f"{u.username}\t{u.role}\t{'disabled' if u.disabled else 'enabled'}")


def _change(db: str, action: str, username: str, value: object) -> None:
    from trucewatch.store.accounts import AccountError, Accounts

    with registry(db, must_exist=True) as store:
        accounts = Accounts(store)
        try:
            if action == "password":
                accounts.set_password(username, str(value))
            elif action == "role":
                accounts.set_role(username, str(value))
            else:
                accounts.set_disabled(username, bool(value))
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None


@user.command("passwd")
@db_option
@click.argument("username")
@click.option("--password", envvar="TRUCEWATCH_PASSWORD", help="The new password.")
def passwd(db: str, username: str, password: str | None) -> None:
    """Set a user's password (their sessions end)."""
    _change(db, "password", username, _password(password))


@user.command("role")
@db_option
@click.argument("username")
@click.argument("role", type=ROLE_CHOICE)
def role(db: str, username: str, role: str) -> None:
    """Change a user's role (their sessions end)."""
    _change(db, "role", username, role)


@user.command("disable")
@db_option
@click.argument("username")
def disable(db: str, username: str) -> None:
    """Disable a user: no login, no API token, sessions end."""
    _change(db, "disabled", username, True)


@user.command("enable")
@db_option
@click.argument("username")
def enable(db: str, username: str) -> None:
    """Enable a disabled user again."""
    _change(db, "disabled", username, False)


@user.command("token")
@db_option
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (e.g. the program's name).")
def token(db: str, username: str, name: str) -> None:
    """Create an API token for USERNAME (printed once: store it safely)."""
    from trucewatch.store.accounts import AccountError, Accounts

    with registry(db, must_exist=True) as store:
        try:
            secret = Accounts(store).add_token(username, name)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(secret)


@user.command("revoke")
@db_option
@click.argument("username")
@click.option("--name", help="Only the tokens with this name (default: all of the user's).")
def revoke(db: str, username: str, name: str | None) -> None:
    """Revoke a user's API tokens."""
    from trucewatch.store.accounts import AccountError, Accounts

    with registry(db, must_exist=True) as store:
        try:
            n = Accounts(store).revoke_tokens(username, name)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"revoked {n} token(s)", err=True)
