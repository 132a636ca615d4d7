"""Every user-facing string has a German translation, in the catalogue of its own app.

Two checks over all apps (also those added later):
- every German catalogue (`tresen/**/locale/de/LC_MESSAGES/django.po`) has a translation for
  every msgid, none empty, none fuzzy;
- every translatable string in an app's code and templates is in that app's catalogue: the
  strings are extracted afresh with `makemessages` (xgettext) from a copy of the source, so the
  catalogues in the repository are never touched. Strings of `tresen/templates` and the project
  files (`settings.py`) belong to the project catalogue `tresen/locale`.

To fix a failure: `cd tresen/<app> && mkdir -p locale && ../../.venv/bin/tresen makemessages -l de`,
then translate every entry (no fuzzy ones).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tresen"
CATALOGUE = Path("locale") / "de" / "LC_MESSAGES" / "django.po"
SKIP_DIRS = {"__pycache__", "locale", "static", "node_modules"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="gettext (xgettext) is not installed"
)


def _owner(path: Path) -> str:
    """The catalogue a source file belongs to: its app's, or the project's for the rest."""
    relative = path.relative_to(PACKAGE)
    first = relative.parts[0]
    if len(relative.parts) > 1 and (PACKAGE / first / "apps.py").exists():
        return first
    return "(project)"


def _catalogue_path(owner: str) -> Path:
    return PACKAGE / CATALOGUE if owner == "(project)" else PACKAGE / owner / CATALOGUE


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def _label(entry: polib.POEntry) -> str:
    return f"[{entry.msgctxt}] {entry.msgid!r}" if entry.msgctxt else repr(entry.msgid)


def test_every_german_catalogue_is_fully_translated():
    problems = []
    for path in sorted(PACKAGE.glob("**/" + str(CATALOGUE))):
        where = path.relative_to(ROOT)
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{where}: fuzzy: {_label(entry)}")
            elif entry.msgid_plural:
                if not all(entry.msgstr_plural.values()) or not entry.msgstr_plural:
                    problems.append(f"{where}: untranslated plural: {_label(entry)}")
            elif not entry.msgstr:
                problems.append(f"{where}: untranslated: {_label(entry)}")
    assert not problems, "German translations missing:\n" + "\n".join(problems)


def _copy_sources(target: Path) -> None:
    """Copy the translatable sources, with an empty `locale` folder per app and the project."""
    for path in PACKAGE.rglob("*"):
        if any(part in SKIP_DIRS for part in path.relative_to(PACKAGE).parts):
            continue
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            destination = target / path.relative_to(PACKAGE)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    (target / "locale").mkdir(exist_ok=True)
    for apps_file in PACKAGE.glob("*/apps.py"):
        (target / apps_file.parent.name / "locale").mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, set[str]]:
    """The msgids that makemessages finds, per catalogue owner."""
    from django.test import override_settings

    copy = tmp_path_factory.mktemp("sources") / "tresen"
    _copy_sources(copy)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[]):
            call_command("makemessages", locale=["de"], verbosity=0, no_location=True)
    finally:
        monkeypatch.undo()
    found: dict[str, set[str]] = {}
    for po in copy.glob("**/" + str(CATALOGUE)):
        folder = po.parents[3]
        owner = "(project)" if folder == copy else folder.name
        found[owner] = {_key(e) for e in polib.pofile(str(po)) if e.msgid}
    return found


def test_every_translatable_string_is_in_its_apps_catalogue(extracted):
    problems = []
    for owner, msgids in sorted(extracted.items()):
        path = _catalogue_path(owner)
        if not path.exists():
            problems.append(
                f"{owner}: no catalogue at {path.relative_to(ROOT)} for {len(msgids)} strings, "
                f"e.g. {sorted(msgids)[:3]}"
            )
            continue
        present = {_key(e) for e in polib.pofile(str(path)) if not e.obsolete}
        problems += [f"{owner}: missing msgid {m!r}" for m in sorted(msgids - present)]
    assert not problems, (
        "Strings not in their app's German catalogue (run makemessages in the app, translate):\n"
        + "\n".join(problems)
    )


def test_extraction_sees_the_foundation_strings(extracted):
    # Guards the guard: if extraction silently found nothing, the test above would pass.
    assert "Temporarily unavailable" in extracted["(project)"]
    assert "organisation" in extracted["accounts"]
    assert "pending reminder" in extracted["tickets"]
    assert "Not found." in extracted["core"]
