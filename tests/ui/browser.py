"""Helpers for real-browser tests: set up data through the live server's API (logging in is tests.drivers')."""
from __future__ import annotations

import httpx
from nicegui.testing import Screen

from tests.drivers import api_log_in, browser_log_in


def sign_up_with_org(screen: Screen, email: str, password: str, name: str, org: str) -> tuple[dict, int]:
    """An account with its own organization, made through the API of the running server."""
    base = screen.url
    httpx.post(f'{base}/api/v1/users', json={'email': email, 'password': password, 'name': name}).raise_for_status()
    headers = api_log_in(base, email, password)
    org_id = httpx.post(f'{base}/api/v1/orgs', json={'name': org}, headers=headers).json()['id']
    return headers, org_id


def signed_in_owner(screen: Screen, width: int, height: int = 900) -> tuple[dict, int]:
    """Olga Owner of Acme (olga@example.com, 'password1'), logged in to a browser window of this size; her API
    headers and the organization's id."""
    screen.open('/login')  # starts the server
    headers, org_id = sign_up_with_org(screen, 'olga@example.com', 'password1', 'Olga Owner', 'Acme')
    screen.selenium.set_window_size(width, height)
    browser_log_in(screen, 'olga@example.com', 'password1')
    return headers, org_id
