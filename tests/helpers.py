"""What tests share to set up data, through the same models/ functions the app uses.

Organizations and their people come from the `make_org` fixture (tests/conftest.py), which returns a `Team`;
the ways to log in, one per driver, are in tests/drivers.py.
"""
from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

from models.accounts import service as accounts
from models.accounts.links import now
from models.accounts.tables import User
from models.orgs.tables import Membership, Organization

PASSWORD = 'correct horse battery'
DATA = Path(__file__).resolve().parent / 'data'  # sample files to import
VALID_IVA = '00743110157'  # a partita IVA with a valid check digit
_numbers = itertools.count(1)


_password_hash: list[str] = []


async def make_user(name: str | None = None, email: str | None = None, *, verified: bool = True) -> User:
    """An account with PASSWORD (hashed once per run: argon2 is slow on purpose), whose address is confirmed unless
    `verified=False` (an account that signed up while the server sent mail and has not opened its link yet)."""
    n = next(_numbers)
    if not _password_hash:
        _password_hash.append(await accounts.hash_password(PASSWORD))
    return await User.create(email=email or f'user{n}@example.com', name=name or f'User {n}',
                             password_hash=_password_hash[0], email_verified_at=now() if verified else None)


async def token_for(user: User) -> dict[str, str]:
    """An Authorization header for the REST API, from a personal token made directly (no password check)."""
    _, raw = await accounts.create_api_token(user=user, name='test')
    return {'Authorization': f'Bearer {raw}'}


async def chunked(data: bytes, size: int = 1000):
    """The bytes of a file as an upload arrives: in chunks."""
    for i in range(0, len(data), size):
        yield data[i:i + size]


def files_under(root: Path) -> list[Path]:
    """The files a store left under this folder, in order."""
    return sorted(p for p in root.rglob('*') if p.is_file()) if root.exists() else []


def on_postgres() -> bool:
    """Whether this test's database (announced to the app in RUBRICA_DATABASE_URL) is PostgreSQL. Also right when
    asked at import time (a skipif), before a test's fixture has set the variable: unset means SQLite."""
    return os.environ.get('RUBRICA_DATABASE_URL', '').startswith(('postgres://', 'postgresql://', 'asyncpg://',
                                                                   'psycopg://'))


@dataclass(eq=False)
class Person:
    """Someone in a test: their account, their membership of the organization `make_org` made them part of (with
    the organization loaded, as pages and the API get it: what models/ functions take as `actor`), and an
    Authorization header for the REST API when the team was made with tokens."""
    user: User
    membership: Membership
    authorization: dict[str, str] | None = field(default=None, repr=False)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def mention(self) -> str:
        """How a description mentions them."""
        return f'@[{self.name}](user:{self.id})'

    @property
    def auth(self) -> dict[str, str]:
        """Headers for the REST API."""
        if self.authorization is None:
            raise AssertionError(f'no API token was made for {self.name}: ask make_org(..., tokens=True)')
        return self.authorization


@dataclass(eq=False)
class Team:
    """An organization and its people, as `make_org` made them."""
    owner: Person
    members: list[Person]
    guests: list[Person]

    @property
    def org(self) -> Organization:
        return self.owner.membership.org

    @property
    def id(self) -> int:
        return self.org.id

    @property
    def base(self) -> str:
        """The organization's path in the REST API."""
        return f'/api/v1/orgs/{self.id}'

    @property
    def member(self) -> Person:
        """The first member."""
        return self.members[0]

    @property
    def other(self) -> Person:
        """The second member."""
        return self.members[1]

    @property
    def guest(self) -> Person:
        """The first guest."""
        return self.guests[0]

    @property
    def people(self) -> list[Person]:
        return [self.owner, *self.members, *self.guests]

    def __getitem__(self, first_name: str) -> Person:
        """Someone by the first word of their name, in lower case: team['tina']."""
        found = [p for p in self.people if p.name.split()[0].lower() == first_name]
        assert len(found) == 1, f'{len(found)} people called {first_name} in {self.org.name}'
        return found[0]
