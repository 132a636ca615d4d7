"""E-mail intake: mailboxes, raw messages stored before processing, parsing and threading.

Every mail that reaches Tresen (fetched by IMAP/POP3 or piped to `tresen ingest-mail`) is
stored raw as an `InboundMessage` and committed before anything else happens; processing then
turns it into exactly one final state (created, appended, duplicate, auto_reply, bounce, loop,
ignored or quarantined). See docs/mail.md.

Contract with outgoing mail (tresen.notifications): intake sets on each article it writes

    article.meta["mail"] = {
        "sha256": "<hex SHA-256 of the raw message>",
        "rule": "<how the mail was attached: reply_address | in_reply_to | subject_tag |
                  bounce | new_ticket | reopen_window_passed ...>",
        "automatic": bool,          # RFC 3834: auto-reply, list, bulk, bounce ...
        "unverified_sender": bool,  # the sender is no participant of the ticket it claims
        "bounce": {"status": "5.1.1", "reason": "userunknown" | "mailboxfull" | ...,
                   "hard": bool, "recipient": "<address>"},   # only on delivery failures
    }

Outgoing mail reads `automatic` and never answers automatic mail automatically (RFC 3834).
Reply-To addresses carrying a signed ticket token come from
`tresen.mail.reply_tokens.make_reply_address`.
"""
