"""Organizations, their members and invitations, plans, and the four option lists."""
from __future__ import annotations

from datetime import datetime, timezone

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from .. import access, i18n
from ..access import Action, Role, mentionable_members, require
from ..accounts.links import digest, new_token
from ..accounts.tables import User
from ..errors import Conflict, NotFound, ValidationFailed
from ..i18n import N_, _, ngettext
from ..labels import field_label
from ..mail import outbox
from ..mail.letters import Letter, spoken_in
from ..notifications import service as notifications
from ..records.tables import KINDS, Kind
from ..validation import FieldErrors, account_email, clean_text, country_code
from .tables import FREE_QUOTA_BYTES, OPTION_NAME_MAX, Invitation, Membership, OptionItem, Organization

PREMIUM_DEFAULT_QUOTA_MB = 10_240
SIGNUP_PATH = '/signup'  # an invitation's link: sign-up with the address filled in (ui/auth_pages.py)
PLANS = ('free', 'premium')

OPTION_KINDS = ('contact_types', 'contact_roles', 'company_types', 'sectors')
OPTION_LIST_MAX = 200
# a new organization's lists, in the language of who creates it (N_: translated when the organization is made)
DEFAULT_OPTIONS: dict[str, list[str]] = {
    'contact_types': [N_('Client'), N_('Supplier'), N_('Partner'), N_('Lead')],
    'contact_roles': [N_('Chief Executive Officer'), N_('Chief Financial Officer'), N_('Chief Technology Officer'),
                      N_('Marketing Manager'), N_('Sales Manager'), N_('Purchasing Manager'), N_('Project Manager'),
                      N_('Administration'), N_('Technician')],
    'company_types': [N_('Client'), N_('Supplier'), N_('Partner'), N_('Lead')],
    'sectors': [N_('Energy'), N_('ICT'), N_('Pharmaceutical'), N_('Manufacturing'), N_('Retail'), N_('Finance'),
                N_('Healthcare'), N_('Construction'), N_('Logistics'), N_('Food & Beverage'), N_('Education'),
                N_('Public Administration')],
}


def _role(field: str, value: object) -> str:
    try:
        return Role(value).value
    except ValueError:
        raise ValidationFailed.one(field, _('must be one of owner, member, guest')) from None


# ---------------------------------------------------------------- organizations

async def create_organization(*, user, name: object, country: object = 'IT') -> Membership:
    """A new organization with the caller as its owner and the default option lists in the caller's language."""
    checks = FieldErrors()
    name_text = checks.check(clean_text, 'name', name, required=True)
    country_text = checks.check(country_code, 'country', 'IT' if country is None else country)
    checks.raise_if_any()
    async with in_transaction():
        org = await Organization.create(name=name_text, country=country_text)
        owner = await Membership.create(org=org, user=user, role=Role.OWNER.value)
        await OptionItem.bulk_create([OptionItem(org=org, kind=kind, name=_(option), position=i)
                                      for kind, names in DEFAULT_OPTIONS.items() for i, option in enumerate(names)])
        if user.preferred_org_id is None:
            user.preferred_org_id = org.id
            await user.save(update_fields=['preferred_org_id'])
    owner.org = org
    return owner


async def user_memberships(user) -> list[Membership]:
    """The caller's organizations, each with the caller's role, by name."""
    return await Membership.filter(user_id=user.id).select_related('org').order_by('org__name', 'org_id')


async def update_organization(*, actor: Membership, name: object, country: object) -> Organization:
    require(actor.role, Action.EDIT_ORGANIZATION)
    checks = FieldErrors()
    name_text = checks.check(clean_text, 'name', name, required=True)
    country_text = checks.check(country_code, 'country', country)
    checks.raise_if_any()
    org = actor.org
    org.name, org.country = name_text, country_text
    await org.save(update_fields=['name', 'country'])
    return org


async def set_preferred_organization(*, user, org_id: int | None) -> None:
    if org_id is not None and not await Membership.filter(user_id=user.id, org_id=org_id).exists():
        raise NotFound('organization')
    user.preferred_org_id = org_id
    await user.save(update_fields=['preferred_org_id'])


async def set_plan(*, org_id: int, plan: str, quota_mb: int | None = None) -> Organization:
    """The operator's command: free plans get the free quota, premium ones 10 GiB unless told otherwise."""
    if plan not in PLANS:
        raise ValidationFailed.one('plan', _('must be free or premium'))
    org = await Organization.get_or_none(id=org_id)
    if org is None:
        raise NotFound(f'organization {org_id}')
    if quota_mb is not None and quota_mb < 0:
        raise ValidationFailed.one('quota_mb', _('must not be negative'))
    if plan == 'free':
        quota = FREE_QUOTA_BYTES if quota_mb is None else quota_mb * 1024 * 1024
    else:
        quota = (PREMIUM_DEFAULT_QUOTA_MB if quota_mb is None else quota_mb) * 1024 * 1024
    org.plan, org.storage_quota = plan, quota
    await org.save(update_fields=['plan', 'storage_quota'])
    return org


# ---------------------------------------------------------------- members and invitations

async def list_members(actor: Membership) -> list[Membership]:
    require(actor.role, Action.VIEW_MEMBERS)
    return await Membership.filter(org_id=actor.org_id).select_related('user').order_by('user__name', 'user_id')


async def mentionable_people(actor: Membership) -> dict[int, str]:
    """Whom the caller may mention in a description (the gate's mentionable members), id -> name in name order."""
    require(actor.role, Action.EDIT_RECORDS)
    return dict(await mentionable_members(actor.org_id).order_by('user__name', 'user_id')
                .values_list('user_id', 'user__name'))


async def list_invitations(actor: Membership) -> list[Invitation]:
    require(actor.role, Action.VIEW_MEMBERS)
    return await Invitation.filter(org_id=actor.org_id).order_by('email')


async def invite(*, actor: Membership, email: object, role: object) -> Membership | Invitation:
    """Invite an email address, and tell its owner by mail (when the server sends mail).

    An existing account joins at once (a Membership) and is mailed "X added you to ORG". An unknown email gets an
    Invitation that sign-up turns into a membership, mailed with a link that opens sign-up with the address filled
    in; so does an account that has not confirmed its address yet (see accounts/verification.py: its invitation
    waits for the confirmation). Inviting the same address again renews the link. The Invitation's `link` is the
    sign-up link to hand over by other means when no mail leaves this server, else ''.
    """
    require(actor.role, Action.MANAGE_MEMBERS)
    checks = FieldErrors()
    email_text = checks.check(account_email, 'email', email)
    role_text = checks.check(_role, 'role', role)
    checks.raise_if_any()
    user = await User.get_or_none(email=email_text)
    if user is not None and await Membership.filter(org_id=actor.org_id, user_id=user.id).exists():
        raise Conflict(_('{email} is already a member of this organization', email=email_text))
    inviter = await User.get(id=actor.user_id)
    org = await Organization.get(id=actor.org_id)
    if user is None or (user.email_verified_at is None and outbox.enabled()):
        invited = await _invite_address(org, inviter, email_text, role_text, account=user)
    else:
        invited = await _add_account(org, inviter, user, role_text)
    return invited


def _spoken(inviter: User, account: User | None = None) -> str:
    """The language of a mail about an invitation: the invited account's, else (an address we know nothing of) the
    inviter's, as chosen or as the page or request that invites speaks."""
    return (account.language if account is not None else '') or inviter.language or i18n.current()


async def _invite_address(org: Organization, inviter: User, email: str, role: str, *,
                          account: User | None) -> Invitation:
    """A pending invitation, new or renewed, with a new link (none for an existing account: it needs no sign-up)."""
    raw, token_hash = new_token() if account is None else ('', None)
    language = _spoken(inviter, account)
    async with in_transaction():
        invitation, created = await Invitation.get_or_create(
            org_id=org.id, email=email, defaults={'role': role, 'invited_by_id': inviter.id, 'token_hash': token_hash})
        if not created:
            invitation.role, invitation.invited_by_id, invitation.token_hash = role, inviter.id, token_hash
            await invitation.save(update_fields=['role', 'invited_by_id', 'token_hash'])
        letter = _invitation_letter if account is None else _waiting_letter
        await outbox.queue(email, spoken_in(language, lambda: letter(org, inviter, raw, language)))
    outbox.wake()
    invitation.link = invitation_link(raw) if raw and not outbox.enabled() else ''
    return invitation


async def _add_account(org: Organization, inviter: User, user: User, role: str) -> Membership:
    language = _spoken(inviter, user)
    try:
        async with in_transaction():
            added = await Membership.create(org_id=org.id, user_id=user.id, role=role)
            if user.preferred_org_id is None:
                user.preferred_org_id = org.id
                await user.save(update_fields=['preferred_org_id'])
            told = await notifications.invited(by=inviter.id, org_id=org.id, user_id=user.id)
            await outbox.queue(user.email, spoken_in(language, lambda: _added_letter(org, inviter, user, language)))
    except IntegrityError:
        raise Conflict(_('{email} is already a member of this organization', email=user.email)) from None
    notifications.announce(told)
    added.user = user
    return added


def invitation_link(raw: str) -> str:
    return outbox.link(SIGNUP_PATH, invitation=raw)


def _invitation_letter(org: Organization, inviter: User, raw: str, language: str) -> Letter:
    return Letter(
        subject=_('{name} invites you to {organization} on Rubrica', name=inviter.name, organization=org.name),
        greeting=_('Hello,'),
        paragraphs=[
            _('{name} ({email}) invites you to join {organization} on Rubrica, where its team keeps the people and '
              'companies it works with.', name=inviter.name, email=inviter.email, organization=org.name),
            _('Create your account with the link below: it opens the sign-up page with this address filled in, and '
              'you join {organization} as soon as the account exists.', organization=org.name),
            _('If you did not expect this invitation, ignore this message.'),
        ],
        action=_('Accept the invitation'), link=invitation_link(raw), language=language or 'en')


def _waiting_letter(org: Organization, inviter: User, raw: str, language: str) -> Letter:
    return Letter(
        subject=_('{name} invites you to {organization} on Rubrica', name=inviter.name, organization=org.name),
        greeting=_('Hello,'),
        paragraphs=[
            _('{name} ({email}) invites you to join {organization} on Rubrica.', name=inviter.name,
              email=inviter.email, organization=org.name),
            _('You join it as soon as you confirm your address with the link Rubrica mailed you when you signed up. '
              'To get a new link, log in and choose "Send again".'),
        ],
        action=_('Open Rubrica'), link=outbox.link('/'), language=language or 'en')


def _added_letter(org: Organization, inviter: User, user: User, language: str) -> Letter:
    return Letter(
        subject=_('{name} added you to {organization} on Rubrica', name=inviter.name, organization=org.name),
        greeting=_('Hello {name},', name=user.name),
        paragraphs=[
            _('{name} ({email}) added you to {organization} on Rubrica: it is among your organizations from now '
              'on.', name=inviter.name, email=inviter.email, organization=org.name),
        ],
        action=_('Open {organization}', organization=org.name), link=outbox.link('/', org=str(org.id)),
        language=language or 'en')


async def renew_invitation_link(*, actor: Membership, invitation_id: int) -> str:
    """A new sign-up link for a pending invitation, to hand over by other means (the server sends no mail, or the
    mail went astray); the invitation's earlier link stops working."""
    require(actor.role, Action.MANAGE_MEMBERS)
    raw, token_hash = new_token()
    if not await Invitation.filter(id=invitation_id, org_id=actor.org_id).update(token_hash=token_hash):
        raise NotFound('invitation')
    return invitation_link(raw)


async def invitation_for_link(token: object) -> Invitation | None:
    """The pending invitation an invitation link was made for, with its organization and inviter; None when the link
    is unknown, was replaced by a newer one, or was used (the invitation became a membership)."""
    if not isinstance(token, str) or not token:
        return None
    return await Invitation.get_or_none(token_hash=digest(token)).select_related('org', 'invited_by')


async def cancel_invitation(*, actor: Membership, invitation_id: int) -> None:
    require(actor.role, Action.MANAGE_MEMBERS)
    if not await Invitation.filter(id=invitation_id, org_id=actor.org_id).delete():
        raise NotFound('invitation')


async def accept_invitations(user) -> list[int]:
    """Turn every pending invitation for the user's email into a membership (called once the address is proven: at
    sign-up through an invitation's link or without mail, when a confirmation link is opened), each with a
    notification of who invited them, inside the caller's transaction; returns whom to `notifications.announce`."""
    told: list[int] = []
    for invitation in await Invitation.filter(email=user.email).order_by('created_at'):
        _, joined = await Membership.get_or_create(org_id=invitation.org_id, user_id=user.id,
                                                   defaults={'role': invitation.role})
        if joined:
            told += await notifications.invited(by=invitation.invited_by_id, org_id=invitation.org_id,
                                                user_id=user.id)
        if user.preferred_org_id is None:
            user.preferred_org_id = invitation.org_id
            await user.save(update_fields=['preferred_org_id'])
        await invitation.delete()
    return told


async def _member_for_change(actor: Membership, user_id: int) -> Membership:
    """The member to change, after checking that an owner asks; row-locked so two owners cannot race past the last-owner rule."""
    require(actor.role, Action.MANAGE_MEMBERS)
    target = await Membership.filter(org_id=actor.org_id, user_id=user_id).select_for_update().first()
    if target is None:
        raise NotFound('member')
    return target


async def _ensure_another_owner(org_id: int, leaving_user_id: int) -> None:
    owners = await Membership.filter(org_id=org_id, role=Role.OWNER.value).select_for_update() \
        .values_list('user_id', flat=True)
    if not set(owners) - {leaving_user_id}:
        raise Conflict(_('An organization must keep at least one owner'))


async def change_role(*, actor: Membership, user_id: int, role: object) -> Membership:
    require(actor.role, Action.MANAGE_MEMBERS)  # first: whoever may not change roles learns nothing about values
    role_text = _role('role', role)
    async with in_transaction():
        target = await _member_for_change(actor, user_id)
        if target.is_owner and role_text != Role.OWNER.value:
            await _ensure_another_owner(actor.org_id, user_id)
        target.role = role_text
        await target.save(update_fields=['role'])
    await target.fetch_related('user')
    return target


async def remove_member(*, actor: Membership, user_id: int) -> None:
    async with in_transaction():
        target = await _member_for_change(actor, user_id)
        if target.is_owner:
            await _ensure_another_owner(actor.org_id, user_id)
        await target.delete()


# ---------------------------------------------------------------- option lists

async def option_lists(org_id: int) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {kind: [] for kind in OPTION_KINDS}
    for kind, name in await OptionItem.filter(org_id=org_id).order_by('kind', 'position', 'id') \
            .values_list('kind', 'name'):
        lists.setdefault(kind, []).append(name)
    return lists


def _option_names(kind: str, names: object) -> list[str]:
    if not isinstance(names, list):
        raise ValidationFailed.one(kind, _('must be a list of names'))
    if len(names) > OPTION_LIST_MAX:
        raise ValidationFailed.one(kind, ngettext('may hold at most {count} name', 'may hold at most {count} names',
                                                  OPTION_LIST_MAX))
    cleaned: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        text = clean_text(f'{kind}[{i}]', name, required=True, max_length=OPTION_NAME_MAX)
        if text.casefold() in seen:
            raise ValidationFailed.one(f'{kind}[{i}]', _('"{name}" is in the list twice', name=text))
        seen.add(text.casefold())
        cleaned.append(text)
    return cleaned


async def save_option_list(*, actor: Membership, kind: str, names: object,
                           renamed: dict[str, str] | None = None) -> list[str]:
    """Replace one option list (add, reorder, remove); `renamed` maps old names to new ones, so that
    records using a renamed value follow it."""
    require(actor.role, Action.EDIT_OPTIONS)
    if kind not in OPTION_KINDS:
        raise NotFound(f'option list {kind}')
    cleaned = _option_names(kind, names)
    async with in_transaction():
        await OptionItem.filter(org_id=actor.org_id, kind=kind).delete()
        await OptionItem.bulk_create([OptionItem(org_id=actor.org_id, kind=kind, name=name, position=i)
                                      for i, name in enumerate(cleaned)])
        for old, new in (renamed or {}).items():
            if new in cleaned and old != new:
                await rename_option_values(actor.org_id, kind, old, new)
    return cleaned


async def rename_option_values(org_id: int, kind: str, old: str, new: str) -> None:
    """Records keep option values by name, so a rename carries them along."""
    for record_kind in KINDS.values():
        for field, list_kind in record_kind.options.items():
            if list_kind == kind:
                await record_kind.model.filter(org_id=org_id, **{field: old}).update(**{field: new})


def _fields_using(kind: str) -> list[tuple[Kind, str]]:
    """The (record kind, field) pairs whose values come from this option list."""
    return [(record_kind, field) for record_kind in KINDS.values()
            for field, list_kind in record_kind.options.items() if list_kind == kind]


async def option_usage(*, actor: Membership, kind: str) -> dict[str, int]:
    """How many records the caller can see use each value of one list (values nobody uses are 0), counted in the
    database through the gate: what the Settings page says before a value is removed."""
    require(actor.role, Action.SEE_RECORDS)
    if kind not in OPTION_KINDS:
        raise NotFound(f'option list {kind}')
    names = (await option_lists(actor.org_id))[kind]
    usage = dict.fromkeys(names, 0)
    for record_kind, field in _fields_using(kind):
        rows = await access.visible(record_kind, actor).filter(**{f'{field}__in': names}) \
            .annotate(n=Count('id')).group_by(field).values(field, 'n')
        for row in rows:
            usage[row[field]] = usage.get(row[field], 0) + row['n']
    return usage


async def remove_option(*, actor: Membership, kind: str, name: object, move_to: object = None) -> dict[str, int]:
    """Remove one value from a list and, in the same transaction, move the records holding it to `move_to`
    (another value of the same list) or, when `move_to` is None or empty, leave them without a value.

    A value belongs to the organization, so every record of it holding the value moves, whoever can see it
    (as a rename does); the answer counts the records the caller can see, per record kind, as option_usage does.
    """
    require(actor.role, Action.EDIT_OPTIONS)
    if kind not in OPTION_KINDS:
        raise NotFound(f'option list {kind}')
    names = (await option_lists(actor.org_id))[kind]
    if not isinstance(name, str) or name not in names:
        raise ValidationFailed.one('name', _('is not a value of the list {list}', list=field_label(kind)))
    target = '' if move_to in (None, '') else move_to
    if target and (not isinstance(target, str) or target not in names or target == name):
        raise ValidationFailed.one('move_to', _('must be another value of the list {list}, or empty',
                                                list=field_label(kind)))
    moved: dict[str, int] = {}
    async with in_transaction():
        if not await OptionItem.filter(org_id=actor.org_id, kind=kind, name=name).select_for_update().exists():
            raise Conflict(_('"{name}" was removed from the list meanwhile', name=name))
        for record_kind, field in _fields_using(kind):
            seen = await access.visible(record_kind, actor).filter(**{field: name}).count()
            moved[record_kind.name] = moved.get(record_kind.name, 0) + seen
            # a new version, so a form opened before the move cannot silently write the old value back
            await record_kind.model.filter(org_id=actor.org_id, **{field: name}).update(
                **{field: target}, version=F('version') + 1, updated_at=datetime.now(timezone.utc))
        await OptionItem.filter(org_id=actor.org_id, kind=kind, name=name).delete()
    return moved
