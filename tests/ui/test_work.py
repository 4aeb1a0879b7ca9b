"""The project, task and ticket pages, simulated with NiceGUI's user fixture: lists, New, cards, roles."""
from __future__ import annotations

import httpx
import pytest
from nicegui import ui
from nicegui.testing import Screen, User
from selenium.webdriver.common.by import By

from models.work import service as work
from models.work.tables import PROJECT, TASK, TICKET
from models.work.tables import Project, Task, Ticket
from tests.drivers import PATIENCE, choose, element, log_in
from tests.ui.browser import signed_in_owner
from ui.leave_guard import LeaveGuard


async def test_a_member_creates_a_project_and_edits_it_on_its_card(user: User, acme):
    org = acme.owner.membership
    await log_in(user, acme.owner, path='/projects')
    await user.should_see('No projects here yet.', marker='no-projects', retries=PATIENCE)

    user.find(marker='new-project').click()
    await user.should_see(marker='create-project', retries=PATIENCE)
    user.find(marker='create-project').click()
    await user.should_see('is required', retries=PATIENCE)  # the name, next to its field; nothing saved
    assert await Project.all().count() == 0

    user.find(marker='project-title').type('Website relaunch')
    user.find(marker='project-due').type('2030-02-30')
    user.find(marker='create-project').click()
    await user.should_see('must be a date as YYYY-MM-DD', retries=PATIENCE)
    user.find(marker='project-due').clear().type('2030-02-28')
    choose(user, 'project-person', 'Olga Owner')
    user.find(marker='create-project').click()
    await user.should_see(marker='save-project', retries=PATIENCE)
    project = await Project.get(org_id=org.org_id)
    assert (project.name, str(project.due_date), project.owner_id) == ('Website relaunch', '2030-02-28', acme.owner.id)

    choose(user, 'project-status', 'On hold')
    user.find(marker='save-project').click()
    await user.should_see('Saved', retries=PATIENCE)
    assert (await Project.get(id=project.id)).status == 'on_hold'

    await user.open('/projects')
    await user.should_see(marker=f'open-project-{project.id}', retries=PATIENCE)
    await user.should_see('On hold', retries=PATIENCE)
    choose(user, 'projects-status-filter', 'Done')
    await user.should_see(marker='no-projects', retries=PATIENCE)
    choose(user, 'projects-status-filter', 'On hold')
    await user.should_see(marker=f'open-project-{project.id}', retries=PATIENCE)


async def test_lists_are_paginated_in_the_database(user: User, acme):
    org = acme.owner.membership
    for n in range(30):
        await work.create_item(TASK, org, {'title': f'Task {n:02}', 'due_date': f'2030-01-{n + 1:02}'})
    await log_in(user, acme.owner, path='/tasks')
    await user.should_see('1–25 of 30', marker='tasks-count', retries=PATIENCE)
    await user.should_see('Task 00', retries=PATIENCE)
    assert len(user.find(marker='task-row').elements) == 25
    pages = user.find(marker='tasks-pages').elements.pop()
    with user.client:
        pages.value = 2
    await user.should_see('26–30 of 30', marker='tasks-count', retries=PATIENCE)
    await user.should_see('Task 29', retries=PATIENCE)
    await user.should_not_see('Task 00')
    user.find(marker='tasks-search').type('task 07')
    await user.should_see('1–1 of 1', marker='tasks-count', retries=PATIENCE)


async def test_a_guest_sees_only_their_work_read_only_and_no_contacts(user: User, acme):
    org, guest = acme.owner.membership, acme.guest
    theirs = await work.create_item(TICKET, org, {'title': 'Printer jam', 'assignee_id': guest.id,
                                                  'priority': 'high', 'status': 'in_progress',
                                                  'description': f'Ask {acme.member.mention} for toner'})
    await work.create_item(TICKET, org, {'title': 'Not for guests'})
    their_project = await work.create_item(PROJECT, org, {'name': 'Guest project', 'owner_id': guest.id})

    await log_in(user, acme.guest, path='/tickets')
    await user.should_see(marker='guest-note', retries=PATIENCE)
    await user.should_see(marker=f'open-ticket-{theirs.id}', retries=PATIENCE)
    await user.should_not_see('Not for guests')
    await user.should_see('1–1 of 1', marker='tickets-count', retries=PATIENCE)
    await user.should_not_see(marker='new-ticket')
    await user.should_see(marker='nav-projects', retries=PATIENCE)
    await user.should_not_see(marker='nav-contacts')

    user.find(marker=f'open-ticket-{theirs.id}').click()
    await user.should_see(content='Printer jam', marker='page-title', retries=PATIENCE)
    await user.should_see('In progress', kind=ui.badge, retries=PATIENCE)  # the status in words, not its code
    await user.should_not_see(marker='save-ticket')
    await user.should_not_see(marker='linked-records')  # no contacts or companies section at all
    await user.should_see('@Mario Member', marker='mention', retries=PATIENCE)  # the description, read-only

    await user.open(f'/projects/{their_project.id}')
    await user.should_see(content='Guest project', marker='page-title', retries=PATIENCE)
    hidden = await Ticket.get(title='Not for guests')
    await user.open(f'/tickets/{hidden.id}')
    await user.should_see(marker='no-access', retries=PATIENCE)


async def test_deleting_an_item_from_its_card(user: User, acme):
    org = acme.owner.membership
    task = await work.create_item(TASK, org, {'title': 'Throw away'})
    await log_in(user, acme.owner, path=f'/tasks/{task.id}')
    user.find(marker='delete-task').click()
    user.find(marker='confirm-delete-task').click()
    await user.should_see(marker='no-tasks', retries=PATIENCE)
    assert not await Task.filter(id=task.id).exists()


async def test_the_card_of_a_missing_item_says_so(user: User, acme):
    await log_in(user, acme.owner, path='/projects/424242')
    await user.should_see(marker='no-access', retries=PATIENCE)
    await user.should_see('This project does not exist or is not visible to you.', kind=ui.label, retries=PATIENCE)


async def test_a_card_is_titled_by_its_item_in_the_page_and_the_tab(user: User, acme):
    project = await work.create_item(PROJECT, acme.owner.membership, {'name': 'Website relaunch',
                                                                      'status': 'on_hold'})
    await log_in(user, acme.member, path=f'/projects/{project.id}')
    await user.should_see(content='Website relaunch', marker='page-title', retries=PATIENCE)
    assert user.client.title == 'Website relaunch · Rubrica'
    assert element(user, 'project-status').props['options'][1]['label'] == 'On hold'  # statuses read as words

    user.find(marker='project-title').clear().type('Website launch')
    user.find(marker='save-project').click()
    await user.should_see('Saved', retries=PATIENCE)
    await user.should_see(content='Website launch', marker='page-title', retries=PATIENCE)
    assert user.client.title == 'Website launch · Rubrica'


async def test_fields_are_outlined_and_dense_like_the_record_card(user: User, acme):
    task = await work.create_item(TASK, acme.owner.membership, {'title': 'Call back'})
    await log_in(user, acme.member, path=f'/tasks/{task.id}')
    await user.should_see(marker='save-task', retries=PATIENCE)
    for marker in ('task-title', 'task-status', 'task-due', 'task-person', 'task-project'):
        props = element(user, marker).props
        assert props.get('outlined') and props.get('dense'), marker


async def test_a_description_with_mentions_is_saved_from_the_card(user: User, acme):
    ticket = await work.create_item(TICKET, acme.owner.membership, {'title': 'Login broken'})
    await log_in(user, acme.member, path=f'/tickets/{ticket.id}')
    await user.should_see(marker='ticket-description', retries=PATIENCE)
    editor = element(user, 'ticket-description')
    assert editor.members == {acme.owner.id: 'Olga Owner', acme.member.id: 'Mario Member',
                              acme.other.id: 'Tina Other'}  # never the guest
    with user.client:
        editor.value = f'Seen by {acme.guest.mention}'
    user.find(marker='save-ticket').click()
    await user.should_see('Please correct the highlighted fields', retries=PATIENCE)
    assert 'mentions someone who is not a member or owner' in editor.error
    assert (await Ticket.get(id=ticket.id)).description == ''

    with user.client:
        editor.value = f'Seen by {acme.other.mention} on Firefox'
    user.find(marker='save-ticket').click()
    await user.should_see('Saved', retries=PATIENCE)
    assert (await Ticket.get(id=ticket.id)).description == f'Seen by {acme.other.mention} on Firefox'


async def test_an_edited_card_is_guarded_until_saved(user: User, acme):
    task = await work.create_item(TASK, acme.owner.membership, {'title': 'Call back'})
    await log_in(user, acme.member, path=f'/tasks/{task.id}')
    await user.should_see(marker='save-task', retries=PATIENCE)
    guard = next(iter(user.find(kind=LeaveGuard).elements))
    assert not guard.dirty
    user.find(marker='task-title').type(' soon')
    assert guard.dirty  # leaving now asks first (ui/leave_guard.py)
    user.find(marker='save-task').click()
    await user.should_see('Saved', retries=PATIENCE)
    assert not guard.dirty
    choose(user, 'task-status', 'In progress')
    assert guard.dirty
    choose(user, 'task-status', 'To do')
    assert not guard.dirty  # back as saved: nothing to lose


async def test_a_new_item_opens_its_card_titled_by_its_name(user: User, acme):
    await log_in(user, acme.member, path='/tickets')
    user.find(marker='new-ticket').click()
    await user.should_see(marker='create-ticket', retries=PATIENCE)
    user.find(marker='ticket-title').type('Printer jam')
    user.find(marker='create-ticket').click()
    await user.should_see(content='Printer jam', marker='page-title', retries=PATIENCE)
    assert user.client.title == 'Printer jam · Rubrica'


# ------------------------------------------------------------------ in a real browser

def _warns_on_unload(screen: Screen) -> bool:
    return screen.selenium.execute_script(
        "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented")


@pytest.mark.parametrize('width', [1440, 390])
def test_a_card_in_the_browser_is_titled_fits_and_asks_before_losing_changes(screen: Screen, width: int):
    headers, org_id = signed_in_owner(screen, width)
    base = f'{screen.url}/api/v1/orgs/{org_id}'
    project = httpx.post(f'{base}/projects', headers=headers, json={
        'name': 'Website relaunch', 'status': 'on_hold', 'due_date': '2030-02-28',
        'description': 'Hosting and the new home page; ask the agency first.'}).json()
    screen.open(f'/projects/{project["id"]}')
    screen.wait_for(lambda: screen.selenium.title == 'Website relaunch · Rubrica')
    screen.should_contain('On hold')
    assert screen.selenium.execute_script('return document.documentElement.scrollWidth <= window.innerWidth + 1')
    screen.SCREENSHOT_DIR = Screen.SCREENSHOT_DIR / 'screens'
    screen.shot(f'project-card-{width}', failed=False)
    assert not _warns_on_unload(screen)

    name = screen.selenium.find_element(By.XPATH, '//label[.//*[normalize-space()="Name"]]//input')
    name.send_keys(' 2')
    screen.wait_for(lambda: _warns_on_unload(screen))
    screen.selenium.find_element(By.XPATH, '//header//button[.//*[normalize-space()="account_circle"]]').click()
    screen.click('Organization')
    screen.should_contain('Leave without saving?')
    screen.click('Keep editing')
    screen.click('Save')
    screen.should_contain('Saved')
    screen.wait_for(lambda: screen.selenium.title == 'Website relaunch 2 · Rubrica')
    assert not _warns_on_unload(screen)
    assert httpx.get(f'{base}/projects/{project["id"]}', headers=headers).json()['name'] == 'Website relaunch 2'


async def test_an_italian_owner_works_in_italian(user: User, acme):
    org = acme.owner.membership
    task = await work.create_item(TASK, org, {'title': 'Preventivo', 'status': 'in_progress'})
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/tasks')
    await user.should_see(content='Attività', marker='page-title', retries=PATIENCE)
    for text in ('Nuova attività', 'Ricerca', 'Non assegnato', '1–1 di 1'):
        await user.should_see(text)
    assert element(user, 'tasks-status-filter').options == {'': 'Tutti', 'todo': 'Da fare', 'in_progress': 'In corso',
                                                            'done': 'Fatto'}
    await user.should_not_see('New task')

    await user.open(f'/tasks/{task.id}')
    await user.should_see(marker='save-task', retries=PATIENCE)
    for text in ('Salva', 'Elimina', 'Scadenza', 'Titolo', 'Assegnatario', 'Contatti e aziende'):
        await user.should_see(text)
    await user.should_not_see('Due date')
    user.find(marker='task-due').clear().type('domani')
    user.find(marker='save-task').click()
    await user.should_see('deve essere una data come AAAA-MM-GG', retries=PATIENCE)  # the rules speak it too


async def test_a_french_guest_reads_their_tickets_in_french(user: User, acme):
    await work.create_item(TICKET, acme.owner.membership, {'title': 'Panne', 'assignee_id': acme.guest.id})
    acme.guest.user.language = 'fr'
    await acme.guest.user.save(update_fields=['language'])
    await log_in(user, acme.guest, path='/tickets')
    await user.should_see('Vous voyez les tickets qui vous sont attribués.', marker='guest-note', retries=PATIENCE)
    await user.should_see('Responsable : Gus Guest')
    await user.should_not_see('Assignee: Gus Guest')
