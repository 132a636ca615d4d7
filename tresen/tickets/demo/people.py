"""The demo's organisations, groups, agents, customers, categories, custom fields and logins.

Demo passwords are derived from the installation's SECRET_KEY: random per installation (never
a default that people keep using), yet the same on every start, so they can be printed again
without being stored anywhere.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.utils.crypto import salted_hmac

from tresen.accounts.models import (
    Access,
    Group,
    GroupMembership,
    Organisation,
    OrganisationDomain,
    Role,
    User,
)
from tresen.accounts.services import get_or_create_customer
from tresen.tickets.demo.phrases import FACILITY, FIRST_LEVEL, HR, IT
from tresen.tickets.models import Category, CustomField, FieldKind

ADMIN_EMAIL = "admin@helpdesk.example"

GROUPS: dict[str, dict[str, str]] = {
    FIRST_LEVEL: {
        "name": "First Level",
        "email": "support@helpdesk.example",
        "sender_name": "Service Desk",
        "signature": "Ihr Service Desk / Your Service Desk\n+49 30 1234567-0",
    },
    IT: {
        "name": "IT Second Level",
        "email": "it@helpdesk.example",
        "sender_name": "IT Second Level",
        "signature": "IT Second Level\nIT-Betrieb / IT operations",
    },
    FACILITY: {
        "name": "Facility",
        "email": "facility@helpdesk.example",
        "sender_name": "Facility Management",
        "signature": "Facility Management\nHaustechnik / Building services, +49 30 1234567-50",
    },
    HR: {
        "name": "HR",
        "email": "hr@helpdesk.example",
        "sender_name": "Personalabteilung / HR",
        "signature": "Personalabteilung / Human Resources",
    },
}

# Category trees per group: (parent, child) paths.
CATEGORIES: dict[str, list[tuple[str, ...]]] = {
    FIRST_LEVEL: [
        ("Access", "Password"),
        ("Access", "Accounts"),
        ("Hardware", "Printer"),
        ("Software", "Installation"),
        ("General",),
    ],
    IT: [
        ("Network", "VPN"),
        ("Network", "Wi-Fi"),
        ("Software", "E-Mail"),
        ("Hardware", "Laptop"),
        ("Servers",),
    ],
    FACILITY: [
        ("Building", "Heating"),
        ("Building", "Access cards"),
        ("Rooms", "Meeting rooms"),
        ("Cleaning",),
    ],
    HR: [("Payroll",), ("Leave",), ("Onboarding",)],
}

# (email, name, language, role, {group: access})
AGENTS: list[tuple[str, str, str, str, dict[str, str]]] = [
    (ADMIN_EMAIL, "Alex Morgan", "en", Role.ADMIN, {k: Access.FULL for k in GROUPS}),
    (
        "anna.schmidt@helpdesk.example",
        "Anna Schmidt",
        "de",
        Role.AGENT,
        {FIRST_LEVEL: Access.FULL, IT: Access.READ},
    ),
    (
        "james.wilson@helpdesk.example",
        "James Wilson",
        "en",
        Role.AGENT,
        {FIRST_LEVEL: Access.FULL, FACILITY: Access.READ},
    ),
    (
        "lukas.weber@helpdesk.example",
        "Lukas Weber",
        "de",
        Role.AGENT,
        {IT: Access.FULL, FIRST_LEVEL: Access.READ},
    ),
    ("priya.nair@helpdesk.example", "Priya Nair", "en", Role.AGENT, {IT: Access.FULL}),
    (
        "petra.hoffmann@helpdesk.example",
        "Petra Hoffmann",
        "de",
        Role.AGENT,
        {FACILITY: Access.FULL},
    ),
    (
        "tom.becker@helpdesk.example",
        "Tom Becker",
        "de",
        Role.AGENT,
        {FACILITY: Access.FULL, FIRST_LEVEL: Access.READ},
    ),
    ("julia.wagner@helpdesk.example", "Julia Wagner", "de", Role.AGENT, {HR: Access.FULL}),
    (
        "emma.clarke@helpdesk.example",
        "Emma Clarke",
        "en",
        Role.AGENT,
        {HR: Access.FULL, FIRST_LEVEL: Access.READ},
    ),
]

# (name, mail domain, members see each other's tickets)
ORGANISATIONS = [
    ("Müller Logistik GmbH", "mueller-logistik.example", True),
    ("Stadtwerke Neustadt", "stadtwerke-neustadt.example", False),
    ("Northwind Traders Ltd", "northwind.example", False),
    ("Contoso Consulting Inc.", "contoso.example", False),
]

# (email, name, language, phone); the organisation follows from the mail domain.
CUSTOMERS = [
    ("klaus.mueller@mueller-logistik.example", "Klaus Müller", "de", "+49 40 3861 2240"),
    ("sabine.krause@mueller-logistik.example", "Sabine Krause", "de", "040 3861 2241"),
    ("mehmet.yilmaz@mueller-logistik.example", "Mehmet Yılmaz", "de", "+49 170 5523 918"),
    ("jana.fischer@stadtwerke-neustadt.example", "Jana Fischer", "de", "+49 6321 8554-12"),
    ("uwe.schneider@stadtwerke-neustadt.example", "Uwe Schneider", "de", "06321 8554-30"),
    ("katrin.lange@stadtwerke-neustadt.example", "Katrin Lange", "de", "+49 151 2347 6612"),
    ("sarah.johnson@northwind.example", "Sarah Johnson", "en", "+44 20 7946 0958"),
    ("oliver.brown@northwind.example", "Oliver Brown", "en", "+44 161 496 0734"),
    ("amelia.taylor@northwind.example", "Amelia Taylor", "en", "+44 7700 900461"),
    ("michael.davis@contoso.example", "Michael Davis", "en", "+1 202 555 0143"),
    ("jennifer.garcia@contoso.example", "Jennifer Garcia", "en", "+1 415 555 0198"),
    ("lena.hartmann@posteo.example", "Lena Hartmann", "de", "+49 30 9018 4471"),
    ("peter.schulz@web.example", "Peter Schulz", "de", "+49 89 2180 3344"),
    ("chloe.martin@mail.example", "Chloé Martin", "en", "+33 1 70 18 99 00"),
]

CUSTOM_FIELDS: list[dict[str, object]] = [
    {
        "group": None,
        "key": "asset_tag",
        "label_en": "Asset tag",
        "label_de": "Inventarnummer",
        "kind": FieldKind.TEXT,
        "visible_to_customer": True,
    },
    {
        "group": IT,
        "key": "affected_system",
        "label_en": "Affected system",
        "label_de": "Betroffenes System",
        "kind": FieldKind.SELECT,
        "options": ["SAP", "Outlook", "VPN", "Teams", "File server", "Other"],
    },
    {
        "group": FACILITY,
        "key": "building",
        "label_en": "Building",
        "label_de": "Gebäude",
        "kind": FieldKind.SELECT,
        "options": ["Berlin HQ", "Hamburg", "München"],
        "visible_to_customer": True,
    },
    {
        "group": HR,
        "key": "personnel_number",
        "label_en": "Personnel number",
        "label_de": "Personalnummer",
        "kind": FieldKind.TEXT,
    },
]

TAGS = ["homeoffice", "hardware", "vip", "follow-up", "rollout", "warranty"]

# The logins printed on every start: (what, email).
LOGINS = [
    ("Administrator (English)", ADMIN_EMAIL),
    ("Agent, First Level (Deutsch)", "anna.schmidt@helpdesk.example"),
    ("Agent, First Level (English)", "james.wilson@helpdesk.example"),
    ("Customer (Deutsch)", "klaus.mueller@mueller-logistik.example"),
    ("Customer (English)", "sarah.johnson@northwind.example"),
]


def demo_password(email: str) -> str:
    """The demo password of `email` on this installation (80 bits from SECRET_KEY)."""
    digest = salted_hmac("tresen.demo.password", email, algorithm="sha256").digest()
    text = base64.b32encode(digest[:10]).decode().lower()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


@dataclass
class DemoPeople:
    groups: dict[str, Group]
    agents: list[User]
    customers: list[User]
    categories: dict[tuple[str, ...], Category]

    def full_agents(self, group: Group) -> list[User]:
        members = GroupMembership.objects.filter(group=group, access=Access.FULL)
        ids = set(members.values_list("user_id", flat=True))
        return [a for a in self.agents if a.pk in ids and a.role == Role.AGENT] or [
            a for a in self.agents if a.pk in ids
        ]


def create_people() -> DemoPeople:
    """Create the demo's organisations, groups, people, categories and custom fields."""
    for name, domain, shared in ORGANISATIONS:
        organisation = Organisation.objects.create(name=name, shared_tickets=shared)
        OrganisationDomain.objects.create(organisation=organisation, domain=domain)
    groups = {key: Group.objects.create(**values) for key, values in GROUPS.items()}
    login_emails = {email for _, email in LOGINS}
    agents = []
    for email, name, language, role, memberships in AGENTS:
        user = User.objects.create_user(
            email,
            demo_password(email) if email in login_emails else None,
            name=name,
            language=language,
            role=role,
            is_superuser=role == Role.ADMIN,
        )
        for key, access in memberships.items():
            GroupMembership.objects.create(group=groups[key], user=user, access=access)
        agents.append(user)
    customers = []
    for email, name, language, phone in CUSTOMERS:
        user, _ = get_or_create_customer(email=email, name=name, language=language, phone=phone)
        if email in login_emails:
            user.set_password(demo_password(email))
            user.save(update_fields=["password"])
        customers.append(user)
    categories = _create_categories(groups)
    for values in CUSTOM_FIELDS:
        group_key = values["group"]
        CustomField.objects.create(
            **{**values, "group": groups[str(group_key)] if group_key else None}
        )
    return DemoPeople(groups=groups, agents=agents, customers=customers, categories=categories)


def _create_categories(groups: dict[str, Group]) -> dict[tuple[str, ...], Category]:
    """Categories by (group key, *path)."""
    made: dict[tuple[str, ...], Category] = {}
    for key, paths in CATEGORIES.items():
        for path in paths:
            parent = None
            for depth in range(1, len(path) + 1):
                node_key = (key, *path[:depth])
                if node_key not in made:
                    made[node_key] = Category.objects.create(
                        group=groups[key], parent=parent, name=path[depth - 1]
                    )
                parent = made[node_key]
    return made


def load_people() -> DemoPeople:
    """The demo people created earlier (for adding tickets to an existing demo)."""
    by_name = {values["name"]: key for key, values in GROUPS.items()}
    groups = {by_name[g.name]: g for g in Group.objects.filter(name__in=by_name)}
    agents = list(User.objects.filter(email__in=[a[0] for a in AGENTS]).order_by("pk"))
    customers = list(User.objects.filter(email__in=[c[0] for c in CUSTOMERS]).order_by("pk"))
    categories: dict[tuple[str, ...], Category] = {}
    for category in Category.objects.select_related("parent__parent", "group"):
        key = by_name.get(category.group.name)
        if key:
            categories[(key, *category.path.split(" › "))] = category
    return DemoPeople(groups=groups, agents=agents, customers=customers, categories=categories)


def demo_exists() -> bool:
    return User.objects.filter(email=ADMIN_EMAIL).exists()


def login_lines() -> list[tuple[str, str, str]]:
    """(what, email, password or a hint) for the printed demo logins."""
    lines = []
    users = {u.email: u for u in User.objects.filter(email__in=[e for _, e in LOGINS])}
    for what, email in LOGINS:
        user = users.get(email)
        password = demo_password(email)
        if user is None:
            continue
        if not user.check_password(password):
            password = "(changed since the demo was created)"  # noqa: S105 - a hint
        lines.append((what, email, password))
    return lines
