"""A small helpdesk for the foundation tests: two groups, agents of every kind, customers of a
sharing and of a non-sharing organisation, and tickets with public and internal articles."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    GroupFactory,
    OrganisationFactory,
    add_member,
    make_ticket,
)
from tresen.accounts.models import Access, Group, User
from tresen.tickets.models import Article, ArticleKind, Attachment, Ticket
from tresen.tickets.services import NewFile, add_cc, post_article

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


@dataclass
class Scene:
    """A ticket with a public article and an internal note, each with an attachment."""

    ticket: Ticket
    public_article: Article
    internal_article: Article
    public_attachment: Attachment
    internal_attachment: Attachment


def build_scene(*, requester: User, group: Group, agent: User, cc: User | None = None) -> Scene:
    ticket = make_ticket(
        actor=requester,
        requester=requester,
        group=group,
        attachments=[NewFile("invoice.pdf", PDF, "application/pdf")],
    )
    if cc is not None:
        add_cc(actor=agent, ticket=ticket, person=cc)
    internal_article = post_article(
        actor=agent,
        ticket=ticket,
        kind=ArticleKind.NOTE,
        body_text="Customer is on the VIP list.",
        attachments=[NewFile("screen.png", PNG, "image/png")],
    )
    public_article = ticket.articles.get(is_internal=False)
    ticket.refresh_from_db()
    return Scene(
        ticket=ticket,
        public_article=public_article,
        internal_article=internal_article,
        public_attachment=public_article.attachments.get(),
        internal_attachment=internal_article.attachments.get(),
    )


@dataclass
class Helpdesk:
    group: Group
    other_group: Group
    admin: User
    agent_full: User
    agent_read: User
    agent_other: User
    requester: User
    colleague_shared: User
    colleague_unshared: User
    cc_participant: User
    stranger: User
    inactive: User
    anonymous: AnonymousUser
    shared: Scene
    unshared: Scene


@pytest.fixture
def helpdesk(db) -> Helpdesk:
    group = GroupFactory(name="Service Desk")
    other_group = GroupFactory(name="Facility")
    agent_full = AgentFactory(name="Frieda Full")
    agent_read = AgentFactory(name="Rudi Read")
    agent_other = AgentFactory(name="Olga Other")
    inactive = AgentFactory(name="Ingo Inactive")
    add_member(group, agent_full, Access.FULL)
    add_member(group, agent_read, Access.READ)
    add_member(other_group, agent_other, Access.FULL)
    add_member(group, inactive, Access.FULL)
    inactive.is_active = False
    inactive.save()

    shared_org = OrganisationFactory(name="Sharing GmbH", shared_tickets=True)
    unshared_org = OrganisationFactory(name="Private AG", shared_tickets=False)
    requester = CustomerFactory(name="Rita Requester", organisation=shared_org)
    colleague_shared = CustomerFactory(name="Sam Shared", organisation=shared_org)
    unshared_requester = CustomerFactory(name="Uwe Unshared", organisation=unshared_org)
    colleague_unshared = CustomerFactory(name="Nina Nonshared", organisation=unshared_org)
    cc_participant = CustomerFactory(name="Carla Copy")

    return Helpdesk(
        group=group,
        other_group=other_group,
        admin=AdminFactory(name="Ada Admin", is_superuser=False),
        agent_full=agent_full,
        agent_read=agent_read,
        agent_other=agent_other,
        requester=requester,
        colleague_shared=colleague_shared,
        colleague_unshared=colleague_unshared,
        cc_participant=cc_participant,
        stranger=CustomerFactory(name="Stefan Stranger"),
        inactive=inactive,
        anonymous=AnonymousUser(),
        shared=build_scene(requester=requester, group=group, agent=agent_full, cc=cc_participant),
        unshared=build_scene(requester=unshared_requester, group=group, agent=agent_full),
    )


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Stored files of a test go to its own folder, never into the shared var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def german_catalogues_compiled():
    """Build missing or outdated .mo files (as `make messages` does), so German pages render
    German even when pytest runs on its own."""
    import shutil
    import subprocess
    from pathlib import Path

    from django.utils.translation import trans_real

    package = Path(__file__).resolve().parents[2] / "tresen"
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return
    built = False
    for po in package.glob("**/locale/*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            # A broken catalogue of another app fails its own test, not every test here.
            subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=False)
            built = True
    if built:
        # Catalogues already loaded in this process would not see the new files.
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = type(trans_real._active)()
