"""Driving the app as its users do: one way to log in per driver (NiceGUI's simulated user, a real browser through
Selenium, the REST API of a running server), and the small moves tests make with them."""
from __future__ import annotations

import json
import re
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from nicegui.testing import Screen
from nicegui.testing import User as SimulatedUser
from nicegui.testing.user_interaction import UserInteraction
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.helpers import PASSWORD

PATIENCE = 50  # should_see retries (0.1 s each): handlers hash passwords and query the database on a busy machine


class HasEmail(Protocol):
    email: str


def _email(who: str | HasEmail) -> str:
    return who if isinstance(who, str) else who.email


# ------------------------------------------------------------------ NiceGUI's simulated user

async def log_in(user: SimulatedUser, who: str | HasEmail, password: str = PASSWORD, *, path: str = '/',
                 succeeds: bool = True) -> None:
    """Log in through the login form, as a person would, and wait for the page asked for (`who`: an email, or
    someone with one)."""
    await user.open(f'/login?next={path}')
    user.find(marker='login-email').type(_email(who))
    user.find(marker='login-password').type(password)
    user.find(marker='login-submit').click()
    if succeeds:
        await user.should_see(marker='page-title', retries=PATIENCE)


def element(user: SimulatedUser, marker: str):
    """The one element with this marker."""
    found = user.find(marker=marker).elements
    assert len(found) == 1, f'{len(found)} elements marked {marker}'
    return next(iter(found))


HISTORY_CALL = re.compile(r'history\.(push|replace)State\(\{\}, "", (".*")\);')


def follow_history(user: SimulatedUser, monkeypatch) -> None:
    """Let the simulated user's history follow the addresses a page pushes or replaces (`ui.navigate.history`:
    JavaScript that NiceGUI's simulation sends to no browser), as a browser's would: `user.back_history[-1]` is
    then the address the browser would show."""
    from nicegui import Client

    run_javascript, open_page = Client.run_javascript, user.open
    built: dict[str, list[re.Match]] = {}  # what pages asked while being built, before the browser had them

    def move(match: re.Match) -> None:
        address = json.loads(match.group(2))
        if match.group(1) == 'replace' and user.back_history:
            user.back_history[-1] = address
        else:
            user.back_history.append(address)

    def run(client, code: str, **kwargs):
        if match := HISTORY_CALL.fullmatch(code):
            if client is user.client:
                move(match)
            else:
                built.setdefault(client.id, []).append(match)
        return run_javascript(client, code, **kwargs)

    async def open_and_follow(path: str, **kwargs):
        client = await open_page(path, **kwargs)
        for match in built.pop(client.id, []):
            move(match)
        return client
    monkeypatch.setattr(Client, 'run_javascript', run)
    monkeypatch.setattr(user, 'open', open_and_follow)


def item_texts(user: SimulatedUser, marker: str) -> list[str]:
    """The texts of the list items (`ui.item`) with this marker, in order; none if there are none now."""
    try:
        items = user.find(marker=marker).elements
    except AssertionError:  # nothing with that marker
        return []
    return [section.text for item in items for section in item.default_slot.children]


def choose(user: SimulatedUser, marker: str, option: str) -> None:
    """Open the select with this marker and click the option with this label."""
    UserInteraction(user, {element(user, marker)}, option).click().click()


def mount_attachments_page() -> None:
    """/test-attachments/{kind}/{record_id}: the Attachments panel of a record, mounted the way the card pages
    mount it (for the simulated user)."""
    from fastapi.responses import RedirectResponse
    from nicegui import ui

    from models.records.service import get_record
    from models.records.tables import KINDS
    from ui.attachments import attachments_panel
    from ui.session import page_context

    @ui.page('/test-attachments/{kind}/{record_id}')
    async def page(kind: str, record_id: int):
        ctx = await page_context()
        if ctx is None:
            return RedirectResponse('/login')
        record = await get_record(KINDS[kind], ctx.membership, record_id)
        await attachments_panel(ctx, KINDS[kind], record)


# ------------------------------------------------------------------ a real browser (Selenium)

def browser_log_in(browser: Screen | WebDriver, email: str, password: str, *, url: str | None = None) -> None:
    """Log in through the login form of a real browser and wait for the dashboard.

    `browser` is NiceGUI's `screen` (its server), or a bare WebDriver with the `url` of a running server; a
    WebDriver without `url` fills the login form it already shows."""
    if isinstance(browser, Screen):
        browser.open('/login')
        driver = browser.selenium
    else:
        driver = browser
        if url is not None:
            driver.get(f'{url}/login')
    driver.find_element(By.XPATH, '//label[.//*[normalize-space()="Email"]]//input').send_keys(email)
    driver.find_element(By.XPATH, '//label[.//*[normalize-space()="Password"]]//input').send_keys(password)
    driver.find_element(By.XPATH, '//button[normalize-space()="Log in"]').click()
    # the dashboard, in whatever language the account chose
    WebDriverWait(driver, 10).until(lambda d: urlsplit(d.current_url).path == '/' and d.title.endswith(' · Rubrica'))


# ------------------------------------------------------------------ the REST API of a running server

def api_log_in(url: str, email: str, password: str) -> dict[str, str]:
    """An Authorization header from POST /api/v1/tokens, as a script would log in."""
    response = httpx.post(f'{url}/api/v1/tokens', json={'email': email, 'password': password})
    response.raise_for_status()
    return {'Authorization': f'Bearer {response.json()["token"]}'}
