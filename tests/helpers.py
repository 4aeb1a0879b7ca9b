"""Ways for tests to set up people and organizations quickly, through the same models/ functions the app uses."""
from __future__ import annotations

import itertools

from nicegui.testing import User as TestUser
from nicegui.testing.user_interaction import UserInteraction

from models.accounts import service as accounts
from models.accounts.tables import User
from models.orgs import service as orgs
from models.orgs.tables import Membership

PASSWORD = 'correct horse battery'
_numbers = itertools.count(1)


_password_hash: list[str] = []


async def make_user(name: str | None = None, email: str | None = None) -> User:
    """An account with PASSWORD (hashed once per run: argon2 is slow on purpose)."""
    n = next(_numbers)
    if not _password_hash:
        _password_hash.append(await accounts.hash_password(PASSWORD))
    return await User.create(email=email or f'user{n}@example.com', name=name or f'User {n}',
                             password_hash=_password_hash[0])


async def make_org(owner: User, name: str = 'Acme', country: str = 'IT') -> Membership:
    return await orgs.create_organization(user=owner, name=name, country=country)


async def add_member(owner_membership: Membership, user: User, role: str) -> Membership:
    return await orgs.invite(actor=owner_membership, email=user.email, role=role)


async def token_for(user: User) -> dict[str, str]:
    _, raw = await accounts.create_api_token(user=user, name='test')
    return {'Authorization': f'Bearer {raw}'}


async def log_in(user: TestUser, email: str, password: str = PASSWORD, *, path: str = '/',
                 succeeds: bool = True) -> None:
    """Log in through the login form, as a person would, and wait for the page asked for."""
    await user.open(f'/login?next={path}')
    user.find(marker='login-email').type(email)
    user.find(marker='login-password').type(password)
    user.find(marker='login-submit').click()
    if succeeds:
        await user.should_see(marker='page-title', retries=50)


def choose(user: TestUser, marker: str, option: str) -> None:
    """Open the select with this marker and click the option with this label."""
    select = user.find(marker=marker).elements
    assert len(select) == 1, f'{len(select)} elements marked {marker}'
    UserInteraction(user, select, option).click().click()
