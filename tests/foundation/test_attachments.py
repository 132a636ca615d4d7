"""Attachments: stored once by content hash, type checked against the bytes, sizes capped."""

from __future__ import annotations

import hashlib

import pytest

from tests.factories import make_ticket
from tests.foundation.conftest import PDF, PNG
from tresen.core.errors import ValidationError
from tresen.tickets.attachments import checked_content_type, detect_type, store_blob
from tresen.tickets.models import Attachment, Blob
from tresen.tickets.services import NewFile, post_article

ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 60
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60


def test_same_content_is_stored_once_however_often_it_is_attached(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    for name in ("offer.pdf", "offer (1).pdf"):
        post_article(
            actor=agent, ticket=ticket, body_text="Offer", attachments=[NewFile(name, PDF)]
        )
    assert Attachment.objects.count() == 2
    blob = Blob.objects.get()
    assert blob.sha256 == hashlib.sha256(PDF).hexdigest() and blob.size == len(PDF)
    with blob.file.open("rb") as stored:
        assert stored.read() == PDF


def test_storage_name_is_the_hash_never_the_senders_name(db):
    blob = store_blob(b"hello world\n", "text/plain")
    assert blob.file.name == f"blobs/{blob.sha256[:2]}/{blob.sha256}"
    assert store_blob(b"hello world\n", "text/plain").pk == blob.pk


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("setup.exe", PE),
        ("invoice.pdf", PE),
        ("tool", ELF),
        ("run.sh", b"#!/bin/sh\nrm -rf ~\n"),
        ("readme.txt", b"#!/usr/bin/env python\nprint(1)\n"),
        ("invoice.pdf.bat", b"del C:\\*\r\n"),
        ("photo.js", b"alert(1)"),
        ("archive.jar", b"PK\x03\x04" + b"\x00" * 30),
    ],
)
def test_programs_are_refused_whatever_their_name(filename, data, agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(ValidationError):
        post_article(
            actor=agent, ticket=ticket, body_text="x", attachments=[NewFile(filename, data)]
        )
    assert not Attachment.objects.exists() and not Blob.objects.exists()
    assert ticket.articles.count() == 1


@pytest.mark.parametrize(
    ("filename", "data"),
    [("photo.png", PDF), ("invoice.pdf", PNG), ("scan.jpg", b"%PDF-1.7 ...")],
)
def test_content_that_contradicts_its_name_is_refused(filename, data):
    with pytest.raises(ValidationError, match="does not contain what its name says"):
        checked_content_type(filename, "", data)


@pytest.mark.parametrize(
    ("filename", "claimed", "data", "stored"),
    [
        ("invoice.pdf", "application/octet-stream", PDF, "application/pdf"),
        ("photo.jpg", "image/jpeg", PNG, "image/png"),  # an image, just another kind
        ("page.html", "text/html", b"<script>alert(1)</script>", "text/plain"),
        ("logo.svg", "image/svg+xml", b"<svg onload=alert(1)>", "text/plain"),
        ("notes.txt", "", b"BMW service on Monday", "text/plain"),
        ("MZ-notes.txt", "", b"MZ stands for Mittelzentrum", "text/plain"),
        ("report.docx", "", b"PK\x03\x04" + b"\x00" * 30, None),
        ("blob.bin", "", b"\x00\x01\x02\x03", "application/octet-stream"),
    ],
)
def test_stored_type_follows_the_content(filename, claimed, data, stored):
    result = checked_content_type(filename, claimed, data)
    if stored is None:  # Office documents are zips: the name's type is kept
        assert result.startswith("application/vnd.openxmlformats")
    else:
        assert result == stored


def test_detection_reads_the_bytes():
    assert detect_type(PNG).content_type == "image/png"
    assert detect_type(PE).executable and detect_type(ELF).executable
    assert not detect_type(b"MZ is a place").executable


def test_file_larger_than_the_limit_is_refused(settings, agent, customer, group):
    settings.TRESEN_MAX_ATTACHMENT_BYTES = 1000
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(ValidationError, match="larger than"):
        post_article(
            actor=agent,
            ticket=ticket,
            body_text="big",
            attachments=[NewFile("big.txt", b"a" * 1001)],
        )
    article = post_article(
        actor=agent, ticket=ticket, body_text="ok", attachments=[NewFile("ok.txt", b"a" * 1000)]
    )
    assert article.attachments.get().size == 1000


def test_files_of_one_article_together_are_capped(settings, agent, customer, group):
    settings.TRESEN_MAX_ATTACHMENT_BYTES = 1000
    settings.TRESEN_MAX_ARTICLE_ATTACHMENT_BYTES = 1500
    ticket = make_ticket(requester=customer, group=group)
    files = [NewFile("a.txt", b"a" * 800), NewFile("b.txt", b"b" * 800)]
    with pytest.raises(ValidationError, match="together"):
        post_article(actor=agent, ticket=ticket, body_text="two", attachments=files)
    assert not Blob.objects.exists()
