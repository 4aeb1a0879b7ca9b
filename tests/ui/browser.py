"""Helpers for real-browser tests: set up data through the live server's API and log in through the form."""
from __future__ import annotations

import httpx
from nicegui.testing import Screen
from selenium.webdriver.common.by import By


def input_labelled(screen: Screen, label: str):
    return screen.selenium.find_element(By.XPATH, f'//label[.//*[normalize-space()="{label}"]]//input')


def sign_up_with_org(screen: Screen, email: str, password: str, name: str, org: str) -> tuple[dict, int]:
    """An account with its own organization, made through the API of the running server."""
    base = screen.url
    httpx.post(f'{base}/api/v1/users', json={'email': email, 'password': password, 'name': name}).raise_for_status()
    token = httpx.post(f'{base}/api/v1/tokens', json={'email': email, 'password': password}).json()['token']
    headers = {'Authorization': f'Bearer {token}'}
    org_id = httpx.post(f'{base}/api/v1/orgs', json={'name': org}, headers=headers).json()['id']
    return headers, org_id


def log_in(screen: Screen, email: str, password: str) -> None:
    screen.open('/login')
    input_labelled(screen, 'Email').send_keys(email)
    input_labelled(screen, 'Password').send_keys(password)
    screen.selenium.find_element(By.XPATH, '//button[normalize-space()="Log in"]').click()
    screen.wait_for(lambda: screen.selenium.title == 'Dashboard · Rubrica')
