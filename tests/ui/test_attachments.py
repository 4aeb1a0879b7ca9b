"""The Attachments panel and the cloud picker, mounted on a test page the way the card pages mount them."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from nicegui.elements.upload_files import LargeFileUpload, SmallFileUpload
from nicegui.testing import User

from models.orgs import service as orgs
from models.files.tables import Attachment, CloudAccount
from models.orgs.tables import Organization
from models.records.service import create_record
from models.records.tables import COMPANY, CONTACT
from models.orgs.tables import Membership
from tests.drivers import PATIENCE, browser_log_in, element, log_in, mount_attachments_page
from tests.ui.browser import sign_up_with_org


@pytest.fixture
async def panel(acme) -> dict:
    """A contact and a company of Mario's, and the test page that shows the Attachments panel of either."""
    contact = await create_record(CONTACT, acme.member.membership, {'last_name': 'Rossi'})
    company = await create_record(COMPANY, acme.member.membership, {'name': 'Rossi Srl'})
    mount_attachments_page()
    return {'contact': contact, 'company': company}


async def test_upload_list_download_delete_in_the_panel(user: User, acme, panel):
    await log_in(user, acme.member)
    await user.open(f'/contacts/{panel["contact"].id}')  # the real card
    user.find(marker='tab-attachments').click()
    await user.should_see(marker='no-attachments', retries=PATIENCE)
    await user.should_see('0 bytes used', marker='attachments-usage')

    content = os.urandom(2 * 1024 * 1024)  # larger than NiceGUI keeps in memory: it arrives as a temporary file
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(content)
    await element(user, 'attachment-upload').handle_uploads([LargeFileUpload('Offerta.pdf', 'application/pdf',
                                                                             Path(f.name))])
    await user.should_see('Offerta.pdf', marker='attachment-row', retries=PATIENCE)
    await user.should_see('2.0 MiB used', marker='attachments-usage', retries=PATIENCE)
    attachment = await Attachment.get(filename='Offerta.pdf')
    await user.should_see('added by Mario Member', marker=f'attachment-details-{attachment.id}')
    assert attachment.size == len(content) and attachment.contact_id == panel['contact'].id

    # the link downloads through the browser's session, with the same safe headers as the API
    link = next(iter(user.find(marker=f'attachment-link-{attachment.id}').elements))
    assert link.props['href'] == f'/files/{acme.id}/{attachment.id}'
    response = await user.http_client.get(link.props['href'])
    assert response.status_code == 200 and response.content == content
    assert response.headers['content-disposition'].startswith('attachment;')
    assert response.headers['x-content-type-options'] == 'nosniff'

    user.find(marker=f'attachment-delete-{attachment.id}').click()
    user.find(marker='attachment-delete-confirm').click()
    await user.should_see(marker='no-attachments', retries=PATIENCE)
    assert not await Attachment.exists()
    assert (await Organization.get(id=acme.id)).storage_used == 0


async def test_the_panel_works_on_companies(user: User, acme, panel):
    await log_in(user, acme.member)
    await user.open(f'/test-attachments/company/{panel["company"].id}')
    await user.should_see(marker='no-attachments', retries=PATIENCE)
    await element(user, 'attachment-upload').handle_uploads([SmallFileUpload('listino.csv', 'text/csv', b'a,b\n1,2\n')])
    await user.should_see('listino.csv', marker='attachment-row', retries=PATIENCE)
    assert (await Attachment.get(filename='listino.csv')).company_id == panel['company'].id


async def test_the_quota_refusal_is_shown(user: User, acme, panel):
    await orgs.set_plan(org_id=acme.id, plan='free', quota_mb=1)
    await log_in(user, acme.member)
    await user.open(f'/test-attachments/contact/{panel["contact"].id}')
    await user.should_see(marker='no-attachments', retries=PATIENCE)
    await element(user, 'attachment-upload').handle_uploads([SmallFileUpload('big.bin', '', b'x' * (1024 * 1024 + 1))])
    await user.should_see('not enough space', marker='attachment-error', retries=PATIENCE)
    await user.should_see(marker='no-attachments')
    assert not await Attachment.exists()


async def test_someone_who_may_not_delete_sees_no_delete_button(user: User, acme, panel):
    tina = await Membership.get(user__email='tina@example.com').select_related('org', 'user')
    await log_in(user, acme.other)
    await user.open(f'/test-attachments/contact/{panel["contact"].id}')
    await user.should_see(marker='no-attachments', retries=PATIENCE)
    await element(user, 'attachment-upload').handle_uploads([SmallFileUpload('mine.txt', 'text/plain', b'mine')])
    await user.should_see('mine.txt', marker='attachment-row', retries=PATIENCE)
    mine = await Attachment.get(filename='mine.txt')
    # a file Mario added to his own record: Tina is neither its uploader, nor the creator, nor an owner
    from models.files.attachments import add_upload
    from nicegui import app

    async def chunks():
        yield b'his'
    his = await add_upload(acme.member.membership, CONTACT, panel['contact'].id, filename='his.txt',
                           content_type='text/plain',
                           chunks=chunks(), integrations=app.state.integrations)
    await user.open(f'/test-attachments/contact/{panel["contact"].id}')
    await user.should_see('his.txt', marker='attachment-row', retries=PATIENCE)
    await user.should_see(marker=f'attachment-delete-{mine.id}')
    await user.should_not_see(marker=f'attachment-delete-{his.id}')
    assert tina.role == 'member'


async def test_a_hidden_record_shows_no_files(user: User, acme, panel):
    private = await create_record(CONTACT, acme.member.membership, {'last_name': 'Hidden', 'visibility': 'private'})
    await log_in(user, acme.other)
    response = await user.http_client.get(f'/test-attachments/contact/{private.id}')
    assert response.status_code == 404  # the record, and so its files, do not exist for her
    from models.files.attachments import add_upload
    from nicegui import app

    async def chunks():
        yield b'secret'
    hidden = await add_upload(acme.member.membership, CONTACT, private.id, filename='secret.txt',
                              content_type='text/plain',
                              chunks=chunks(), integrations=app.state.integrations)
    download = await user.http_client.get(f'/files/{acme.id}/{hidden.id}')
    assert download.status_code == 404 and b'secret' not in download.content


async def test_a_download_of_an_id_beyond_any_row_is_the_same_not_found_as_an_unknown_one(user: User, acme):
    await log_in(user, acme.other)
    unknown = await user.http_client.get(f'/files/{acme.id}/999999')
    huge = await user.http_client.get(f'/files/{acme.id}/{2 ** 64}')
    assert unknown.status_code == huge.status_code == 404
    assert huge.content == unknown.content


# ------------------------------------------------------------------ a real browser

def test_a_real_browser_uploads_with_progress_and_downloads(screen, tmp_path):
    import httpx
    from selenium.webdriver.common.by import By

    screen.open('/')
    screen.should_contain('Log in to your account')
    base = screen.url
    auth, org = sign_up_with_org(screen, 'ada@example.com', 'lovelace1', 'Ada Lovelace', 'Engines')
    contact = httpx.post(f'{base}/api/v1/orgs/{org}/contacts', json={'last_name': 'Babbage'}, headers=auth).json()

    browser_log_in(screen, 'ada@example.com', 'lovelace1')
    screen.should_contain('Welcome, Ada Lovelace')

    screen.open(f'/contacts/{contact["id"]}')  # the real card, its Attachments tab
    screen.click('Attachments')
    screen.should_contain('No files yet.')
    content = os.urandom(3 * 1024 * 1024)
    source = tmp_path / 'Analytical engine <notes>.txt'
    source.write_bytes(content)
    screen.selenium.find_element(By.CSS_SELECTOR, '.q-uploader input[type=file]').send_keys(str(source))
    screen.should_contain('Analytical engine <notes>.txt')
    screen.should_contain('added by Ada Lovelace')

    listed = httpx.get(f'{base}/api/v1/orgs/{org}/contacts/{contact["id"]}/attachments', headers=auth).json()
    assert [(a['filename'], a['size']) for a in listed] == [('Analytical engine <notes>.txt', len(content))]
    link = screen.selenium.find_element(By.LINK_TEXT, 'Analytical engine <notes>.txt').get_attribute('href')
    cookies = {c['name']: c['value'] for c in screen.selenium.get_cookies()}
    download = httpx.get(link, cookies=cookies)
    assert download.status_code == 200 and download.content == content
    assert download.headers['content-disposition'].startswith('attachment;')
    assert httpx.get(link).status_code in (303, 307)  # without the browser's session: to the login page


@pytest.fixture
def one_mib_limit(monkeypatch):
    monkeypatch.setenv('RUBRICA_MAX_UPLOAD_MB', '1')


async def test_the_server_refuses_a_browser_upload_past_the_limit(one_mib_limit, user: User, acme, panel,
                                                                  rubrica_env):
    """ui.upload's max_file_size is checked only by the browser: a client that skips it is refused anyway."""
    await log_in(user, acme.member)
    await user.open(f'/test-attachments/contact/{panel["contact"].id}')
    await user.should_see(marker='no-attachments', retries=PATIENCE)
    target = element(user, 'attachment-upload').props['url']
    refused = await user.http_client.post(target, files={'file': ('big.bin', b'x' * (2 * 1024 * 1024))})
    assert refused.status_code == 413

    async def hidden_size():  # no Content-Length: counted while it arrives
        boundary = b'b0undary'
        yield b'--' + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
        for _ in range(40):
            yield b'y' * 65536
        yield b'\r\n--' + boundary + b'--\r\n'
    streamed = await user.http_client.post(target, content=hidden_size(),
                                           headers={'Content-Type': 'multipart/form-data; boundary=b0undary'})
    assert streamed.status_code == 413
    # just under the limit still arrives, and the panel's handler stores it
    accepted = await user.http_client.post(target, files={'file': ('fits.bin', b'z' * (1024 * 1024))})
    assert accepted.status_code == 200
    await user.should_see(marker='attachment-row', retries=PATIENCE)
    assert not await Attachment.filter(filename='big.bin').exists()
    assert (await Attachment.get(filename='fits.bin')).size == 1024 * 1024


async def test_the_server_sweeps_unreferenced_files_while_it_runs(user: User):
    """Not only at start-up: the queue's periodic work removes, every few minutes, files a crash left without a row;
    with jobs inside (the default on SQLite) the server's own worker runs it."""
    import asyncio

    from nicegui import background_tasks

    from models.jobs import queue

    await user.open('/login')
    await asyncio.gather(*(task for task in background_tasks.running_tasks if task.get_name() == 'func start'))
    periodic = {periodic_id for _, periodic_id in queue.app.periodic_registry.periodic_tasks}
    assert 'sweep' in periodic
    assert queue._opened is not None and queue._opened.worker is not None and not queue._opened.worker.done()


# ------------------------------------------------------------------ the drop zone

def _drop_zone_page(screen, width: int, height: int) -> tuple[dict, int, dict]:
    """Ada's organization with a contact, its card open on the Attachments tab at this size."""
    import httpx

    screen.open('/')
    base = screen.url
    auth, org = sign_up_with_org(screen, 'ada@example.com', 'lovelace1', 'Ada Lovelace', 'Engines')
    contact = httpx.post(f'{base}/api/v1/orgs/{org}/contacts', json={'last_name': 'Babbage'}, headers=auth).json()
    screen.selenium.set_window_size(width, height)
    browser_log_in(screen, 'ada@example.com', 'lovelace1')
    screen.open(f'/contacts/{contact["id"]}')
    screen.click('Attachments')
    screen.should_contain('No files yet.')
    return auth, org, contact


@pytest.mark.parametrize('width, height', [(1440, 900), (390, 844)])
def test_the_drop_zone_says_what_to_do_shows_each_file_going_and_names_a_refusal(one_mib_limit, screen, tmp_path,
                                                                               width, height):
    from selenium.webdriver.common.by import By

    _drop_zone_page(screen, width, height)
    driver = screen.selenium
    screen.should_contain('Drop files here or choose a file')
    screen.should_contain('Up to 1.0 MiB per file')  # from RUBRICA_MAX_UPLOAD_MB
    screen.should_contain('Organization storage: 0 bytes used of 100.0 MiB')
    screen.should_contain('comes with the premium plan')
    zone = driver.find_element(By.CSS_SELECTOR, '.rubrica-dropzone')
    assert zone.value_of_css_property('border-top-style') == 'dashed'
    assert 'Add a file' not in zone.text and '0.00%' not in zone.text  # the raw uploader header is gone
    assert driver.execute_script('return document.documentElement.scrollWidth <= window.innerWidth + 1')

    # a file past the limit: the browser does not send it, and says which file and why
    big = tmp_path / 'Big drawing.pdf'
    big.write_bytes(b'x' * (1024 * 1024 + 10))
    driver.find_element(By.CSS_SELECTOR, '.rubrica-dropzone input[type=file]').send_keys(str(big))
    screen.should_contain('“Big drawing.pdf”: it is larger than the 1.0 MiB a file may have')

    # a file that fits, sent slowly enough to watch: its own row with a bar, then the list of files
    driver.execute_cdp_cmd('Network.enable', {})
    driver.execute_cdp_cmd('Network.emulateNetworkConditions', {
        'offline': False, 'latency': 0, 'downloadThroughput': -1, 'uploadThroughput': 200 * 1024})
    small = tmp_path / 'Notes.txt'
    small.write_bytes(b'n' * 900 * 1024)
    try:
        driver.find_element(By.CSS_SELECTOR, '.rubrica-dropzone input[type=file]').send_keys(str(small))
        screen.wait_for(lambda: driver.execute_script(  # (the row is drawn again as its bar moves: read it whole)
            "const row = document.querySelector('[data-test=upload-file]');"
            "return !!row && row.textContent.includes('Notes.txt') && !!row.querySelector('.q-linear-progress')"
            "       && / of 900\\.0KB/.test(row.textContent)"))
        screen.shot(f'attachments-drop-zone-{width}x{height}', failed=False)
    finally:
        driver.execute_cdp_cmd('Network.emulateNetworkConditions', {
            'offline': False, 'latency': 0, 'downloadThroughput': -1, 'uploadThroughput': -1})
    screen.should_contain('added by Ada Lovelace')
    screen.wait_for(lambda: not driver.find_elements(By.CSS_SELECTOR, '[data-test=upload-file]'))
    assert driver.execute_script('return document.documentElement.scrollWidth <= window.innerWidth + 1')

    # a browser that does not check the size sends the file anyway: the server refuses it as it arrives (413), and
    # the page names it, its row left as not sent
    driver.execute_script("const zone = document.querySelector('.rubrica-dropzone');"
                          "mounted_app.elements[zone.id.slice(1)].props['max-file-size'] = 8 * 1024 * 1024;")
    screen.allowed_js_errors.append('status of 413')  # the browser reports the refusal in its console too
    bigger = tmp_path / 'Bigger.bin'
    bigger.write_bytes(b'b' * 2 * 1024 * 1024)
    driver.find_element(By.CSS_SELECTOR, '.rubrica-dropzone input[type=file]').send_keys(str(bigger))
    screen.should_contain('“Bigger.bin”: it is larger than the 1.0 MiB a file may have')
    screen.wait_for(lambda: driver.execute_script(
        "return !!document.querySelector('[data-test=upload-file][data-status=failed]')"))


async def test_each_refused_file_is_named_with_its_reason_and_the_others_arrive(one_mib_limit, user: User, acme,
                                                                                panel):
    await orgs.set_plan(org_id=acme.id, plan='free', quota_mb=2)
    await log_in(user, acme.member)
    await user.open(f'/test-attachments/contact/{panel["contact"].id}')
    await user.should_see('Drop files here or choose a file', marker='dropzone-text', retries=PATIENCE)
    await user.should_see('Up to 1.0 MiB per file', marker='dropzone-limit')  # RUBRICA_MAX_UPLOAD_MB
    await user.should_not_see(marker='attachment-problems')
    upload = element(user, 'attachment-upload')
    assert upload.props['multiple'] is True and upload.props['max-file-size'] == 1024 * 1024
    await upload.handle_uploads([SmallFileUpload('big.bin', '', b'x' * (1024 * 1024 + 1)),
                                 SmallFileUpload('fits.txt', 'text/plain', b'y' * (900 * 1024))])
    await user.should_see('“big.bin”: The file is larger than the 1.0 MiB', marker='attachment-error',
                          retries=PATIENCE)
    await user.should_see('fits.txt', marker='attachment-row', retries=PATIENCE)

    # two more that fit one at a time, but not both in the quota: the one that comes second is refused, by name
    await upload.handle_uploads([SmallFileUpload('second.txt', 'text/plain', b'z' * (900 * 1024)),
                                 SmallFileUpload('third.txt', 'text/plain', b'w' * (900 * 1024))])
    await user.should_see('There is not enough space', marker='attachment-error', retries=PATIENCE)
    stored = set(await Attachment.all().values_list('filename', flat=True))
    assert len(stored) == 2 and 'fits.txt' in stored
    refused = ({'second.txt', 'third.txt'} - stored).pop()
    await user.should_see(f'“{refused}”: There is not enough space', marker='attachment-error')
    assert len(user.find(marker='attachment-error').elements) == 2  # big.bin's refusal stays, on its own line

    user.find(marker='attachment-problems-dismiss').click()
    await user.should_not_see(marker='attachment-error')


async def test_a_free_organization_is_told_that_the_clouds_come_with_premium(user: User, acme, panel):
    await log_in(user, acme.member)
    await user.open(f'/test-attachments/contact/{panel["contact"].id}')
    await user.should_see('comes with the premium plan', marker='cloud-premium-note', retries=PATIENCE)
    assert element(user, 'cloud-premium-link').props['href'] == '/organization'
    await user.should_not_see(marker='cloud-connect-note')


@pytest.fixture
def cloud_clients(monkeypatch):
    """OAuth clients set up for both providers (nothing is called on them here)."""
    for name in ('RUBRICA_GOOGLE_CLIENT_ID', 'RUBRICA_GOOGLE_CLIENT_SECRET', 'RUBRICA_DROPBOX_APP_KEY',
                 'RUBRICA_DROPBOX_APP_SECRET'):
        monkeypatch.setenv(name, 'set')


async def test_premium_without_a_connected_account_links_to_the_cloud_settings(cloud_clients, user: User, acme,
                                                                               panel):
    from ui.attachments import CLOUD_SETTINGS

    await orgs.set_plan(org_id=acme.id, plan='premium')
    await log_in(user, acme.member)
    await user.open(f'/test-attachments/contact/{panel["contact"].id}')
    await user.should_see('Google Drive or Dropbox, connect your account', marker='cloud-connect-note',
                          retries=PATIENCE)
    assert element(user, 'cloud-connect-link').props['href'] == CLOUD_SETTINGS
    await user.should_not_see(marker='cloud-premium-note')
    await user.should_not_see(marker='picker-google_drive')

    await CloudAccount.create(user_id=acme.member.id, provider='google_drive', tokens='sealed elsewhere')
    await user.open(f'/test-attachments/contact/{panel["contact"].id}')
    await user.should_see(marker='picker-google_drive', retries=PATIENCE)  # connected: attach from it
    await user.should_not_see(marker='cloud-connect-note')
    await user.should_not_see(marker='picker-dropbox')


async def test_a_french_reader_sees_the_panel_in_french(user: User, acme, panel):
    acme.member.user.language = 'fr'
    await acme.member.user.save(update_fields=['language'])
    await log_in(user, acme.member)
    await user.open(f'/contacts/{panel["contact"].id}')
    user.find(marker='tab-attachments').click()
    await user.should_see('Pas encore de fichiers.', marker='no-attachments', retries=PATIENCE)
    await user.should_see('Déposez des fichiers ici ou choisissez un fichier', marker='dropzone-text')
    await user.should_see("Jusqu'à", marker='dropzone-limit')
    await user.should_see("Espace de l'organisation : 0 octet", marker='attachments-usage')
    await user.should_see("l'offre premium", marker='cloud-premium-note')
    await user.should_not_see('Drop files here or choose a file')
    list_slot = element(user, 'attachment-upload').slots['list'].template
    assert "'non envoyé'" in list_slot and 'not sent' not in list_slot and 'Retirer de cette liste' in list_slot

    await element(user, 'attachment-upload').handle_uploads([SmallFileUpload('Devis.pdf', 'application/pdf',
                                                                             b'x' * 1500)])
    await user.should_see('Devis.pdf', marker='attachment-row', retries=PATIENCE)
    attachment = await Attachment.get(filename='Devis.pdf')
    await user.should_see('1,5 Kio · Fichier envoyé · ajouté par Mario Member le',
                          marker=f'attachment-details-{attachment.id}')
    user.find(marker=f'attachment-delete-{attachment.id}').click()
    await user.should_see('Supprimer « Devis.pdf » ?', marker='attachment-delete-question')
