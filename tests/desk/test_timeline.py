from tresen.desk.timeline import split_quoted_html, split_quoted_text

MAIL = """Thanks, that worked.

On Mon, 3 Feb 2025 at 10:00, Carl <carl@example.com> wrote:
> Hello,
> the printer shows E42 again.
> It is on floor 2.
> Regards, Carl"""


def test_english_attribution_and_quotes_are_folded():
    new, quoted = split_quoted_text(MAIL)
    assert new == "Thanks, that worked."
    assert quoted.startswith("On Mon, 3 Feb 2025")
    assert "Regards, Carl" in quoted


def test_german_attribution_is_folded():
    text = "Danke!\n\nAm 03.02.2025 um 10:00 schrieb Carl:\n> a\n> b\n> c\n> d"
    new, quoted = split_quoted_text(text)
    assert new == "Danke!"
    assert quoted.startswith("Am 03.02.2025")


def test_trailing_quote_block_without_attribution_is_folded():
    text = "See below.\n> one\n> two\n>\n> three\n> four"
    assert split_quoted_text(text) == ("See below.", "> one\n> two\n>\n> three\n> four")


def test_inline_answers_between_quotes_stay_visible():
    text = "> question one\nanswer one\n> question two\nanswer two\n> x\n> y"
    assert split_quoted_text(text) == (text, "")


def test_short_quotes_are_not_worth_folding():
    text = "Yes.\n> Shall we?"
    assert split_quoted_text(text) == (text, "")


def test_html_is_split_at_the_first_blockquote_into_wellformed_halves():
    html = "<div><p>New answer</p><blockquote><p>" + "old text " * 40 + "</p></blockquote></div>"
    new, quoted = split_quoted_html(html)
    assert "New answer" in new and "blockquote" not in new
    assert quoted.startswith("<blockquote>") and "old text" in quoted
    assert quoted.count("<blockquote>") == quoted.count("</blockquote>")
