import pytest

from tresen.mail.reply_tokens import make_reply_address, parse_reply_address


def test_reply_address_round_trips_to_the_ticket_id():
    address = make_reply_address(4711, "helpdesk@example.com")
    assert address.startswith("helpdesk+t4711-") and address.endswith("@example.com")
    assert parse_reply_address(address) == 4711


def test_reply_address_survives_case_folding_and_angle_brackets():
    address = make_reply_address(12, "Helpdesk@Example.com")
    assert parse_reply_address(f"<{address.upper()}>") == 12


def test_signature_carries_at_least_64_bits():
    address = make_reply_address(1, "helpdesk@example.com")
    signature = address.split("@")[0].rsplit("-", 1)[1]
    assert len(signature) * 5 >= 64


def test_forged_ticket_id_is_refused():
    address = make_reply_address(12, "helpdesk@example.com")
    forged = address.replace("+t12-", "+t13-")
    assert parse_reply_address(forged) is None


def test_tampered_signature_is_refused():
    address = make_reply_address(12, "helpdesk@example.com")
    local, domain = address.split("@")
    last = local[-1]
    tampered = local[:-1] + ("a" if last != "a" else "b") + "@" + domain
    assert parse_reply_address(tampered) is None


@pytest.mark.parametrize(
    "address", ["helpdesk@example.com", "", "helpdesk+t12@example.com", "not an address"]
)
def test_plain_addresses_carry_no_ticket(address):
    assert parse_reply_address(address) is None


def test_signature_from_another_secret_key_is_refused(settings):
    address = make_reply_address(12, "helpdesk@example.com")
    settings.SECRET_KEY = "another-secret-key-of-sufficient-length-0123456789"
    assert parse_reply_address(address) is None


def test_old_key_still_verifies_after_rotation(settings):
    address = make_reply_address(12, "helpdesk@example.com")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-of-sufficient-length-0123456789"
    assert parse_reply_address(address) == 12
