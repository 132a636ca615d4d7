"""Realistic ticket texts in German and English, assembled from phrase templates.

Pure functions of a random generator: no database, so the small demo and the bulk generator
share them and tests can check them on their own. Each topic belongs to a group and a
category; a text is a greeting, a few topic sentences with filled-in details, and a closing.
"""

from __future__ import annotations

import functools
import random
import string
from dataclasses import dataclass, field

LANGUAGES = ("de", "en")

# Group keys used by the demo: First Level, IT Second Level, Facility, HR.
FIRST_LEVEL, IT, FACILITY, HR = "first", "it", "facility", "hr"


@dataclass(frozen=True)
class Topic:
    """What a ticket is about, with its texts per language."""

    key: str
    group: str
    category: tuple[str, ...]
    # titles[i] and problems[i] describe the same problem.
    titles: dict[str, list[str]]
    problems: dict[str, list[str]]
    details: dict[str, list[str]]
    answers: dict[str, list[str]]
    notes: dict[str, list[str]] = field(default_factory=dict)


# Values for the {placeholders}; weekdays and similar words differ per language.
_SLOTS: dict[str, list[str]] = {
    "floor": ["1", "2", "3", "4", "5", "6"],
    "room": ["1.04", "2.17", "3.08", "3.21", "4.02", "5.11", "0.12"],
    "code": ["E42", "0x80070005", "C-2801", "ERR_CONNECTION_RESET", "809", "J-01", "5.7.1"],
    "printer": [
        "Kyocera TASKalfa 3554ci",
        "HP LaserJet M507",
        "Brother MFC-L8900",
        "Ricoh IM C300",
    ],
    "laptop": ["ThinkPad T14", "Dell Latitude 5440", "HP EliteBook 840", "MacBook Air"],
    "app": ["SAP", "DATEV", "Teams", "Outlook", "Excel", "Adobe Acrobat", "Visio", "Zoom"],
    "city": ["Berlin", "Hamburg", "München", "Köln", "Leipzig", "Frankfurt", "Bremen"],
    "count": ["2", "3", "4", "5", "12"],
    "asset": ["NB-10231", "NB-20877", "PC-00412", "NB-31150", "PR-0042"],
}
_SLOTS_BY_LANGUAGE: dict[str, dict[str, list[str]]] = {
    "de": {
        "day": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"],
        "since": ["seit heute Morgen", "seit gestern", "seit dem Update", "seit einer Woche"],
    },
    "en": {
        "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        "since": ["since this morning", "since yesterday", "since the update", "for a week now"],
    },
}

_GREETINGS = {
    "de": ["Hallo,", "Guten Tag,", "Hallo zusammen,", "Sehr geehrte Damen und Herren,", "Moin,"],
    "en": ["Hello,", "Hi,", "Good morning,", "Dear support team,", "Hi there,"],
}
_AGENT_GREETINGS = {
    "de": ["Hallo {name},", "Guten Tag {name},", "Moin {name},"],
    "en": ["Hello {name},", "Hi {name},", "Dear {name},"],
}
_CLOSINGS = {
    "de": [
        "Vielen Dank und viele Grüße",
        "Danke im Voraus!",
        "Beste Grüße",
        "Freundliche Grüße",
        "Danke für eure Hilfe!",
    ],
    "en": ["Thanks in advance!", "Best regards", "Kind regards", "Many thanks", "Cheers"],
}
_AGENT_CLOSINGS = {
    "de": ["Viele Grüße", "Beste Grüße", "Freundliche Grüße aus dem Support"],
    "en": ["Best regards", "Kind regards", "Regards from the service desk"],
}
_URGENCY = {
    "de": [
        "Es ist ziemlich dringend, weil wir morgen eine Abgabe haben.",
        "Ist nicht eilig, aber es nervt.",
        "Bitte meldet euch kurz, sobald ihr Zeit habt.",
        "Meine Kollegin ist auch betroffen.",
        "Ein Neustart hat nicht geholfen.",
    ],
    "en": [
        "It is fairly urgent because we have a deadline tomorrow.",
        "Not urgent, but it is annoying.",
        "Please get back to me when you have a moment.",
        "A colleague of mine has the same problem.",
        "Restarting did not help.",
    ],
}
_FOLLOW_UPS = {
    "de": [
        "Danke, das hat funktioniert!",
        "Leider besteht das Problem weiterhin. Was kann ich noch versuchen?",
        "Ich habe es ausprobiert, jetzt kommt die Meldung {code}.",
        "Am {day} bin ich den ganzen Tag im Büro, dann können Sie gern vorbeikommen.",
        "Super, vielen Dank für die schnelle Hilfe.",
        "Gibt es schon etwas Neues? Wir warten noch darauf.",
    ],
    "en": [
        "Thanks, that worked!",
        "Unfortunately the problem is still there. What else can I try?",
        "I tried it, now I get the message {code}.",
        "I am in the office all day on {day}, feel free to drop by.",
        "Great, thank you for the quick help.",
        "Any news on this? We are still waiting.",
    ],
}
_INTERNAL_NOTES = {
    "de": [
        "Kunde hat das Problem schon zum dritten Mal gemeldet, bitte Ursache prüfen.",
        "Rückfrage beim Hersteller läuft, Antwort erwartet bis {day}.",
        "Betrifft vermutlich auch andere Standorte, habe in {city} nachgefragt.",
        "Gerät {asset} laut Inventar noch in der Garantie.",
        "Erledigt sich evtl. mit dem Rollout am {day}.",
    ],
    "en": [
        "Third report from this customer, please look for the root cause.",
        "Waiting for the vendor, answer expected by {day}.",
        "Probably affects other sites as well, asked the team in {city}.",
        "Device {asset} is still under warranty according to the inventory.",
        "Might be solved by the rollout on {day}.",
    ],
}
_PHONE_NOTES = {
    "de": [
        "{name} hat angerufen und nach dem Stand gefragt. Rückruf zugesagt.",
        "Telefonat mit {name}: Fehler tritt nur im Homeoffice auf.",
        "{name} hat angerufen, Problem besteht weiterhin, bitte priorisieren.",
        "Rückruf bei {name}: Lösung telefonisch erklärt, funktioniert jetzt.",
    ],
    "en": [
        "{name} called and asked for an update. Promised a call back.",
        "Call with {name}: the error only happens when working from home.",
        "{name} called, the problem persists, please prioritise.",
        "Called {name} back: explained the fix on the phone, works now.",
    ],
}
_THANKS = {"de": "vielen Dank für Ihre Nachricht,", "en": "thank you for your message,"}
_ACKNOWLEDGEMENTS = {
    "de": [
        "wir haben Ihre Anfrage an unsere Fachabteilung weitergegeben, sie meldet sich bei Ihnen.",
        "das müssen sich unsere Spezialisten ansehen. Wir melden uns, sobald wir mehr wissen.",
    ],
    "en": [
        "we have passed your request to our specialists, who will get back to you.",
        "our specialists need to look at this. We will be in touch as soon as we know more.",
    ],
}
_HANDOVERS = {
    "de": [
        "Bitte übernehmen: Standardlösung hat nicht geholfen, Logs liegen im Ticket.",
        "Übergabe an die Fachabteilung, Kunde ist informiert.",
        "Braucht Admin-Rechte, die der First Level nicht hat.",
    ],
    "en": [
        "Please take over: the standard fix did not help, logs are in the ticket.",
        "Handing over to the specialists, the customer knows.",
        "Needs admin rights that first level does not have.",
    ],
}

TOPICS: list[Topic] = [
    Topic(
        key="printer",
        group=FIRST_LEVEL,
        category=("Hardware", "Printer"),
        titles={
            "de": [
                "Drucker im {floor}. OG druckt nicht",
                "Papierstau am {printer}",
                "Drucker zeigt Fehler {code}",
                "Toner leer in Raum {room}",
            ],
            "en": [
                "Printer on floor {floor} is not printing",
                "Paper jam in the {printer}",
                "Printer shows error {code}",
                "Toner empty in room {room}",
            ],
        },
        problems={
            "de": [
                "der Drucker im {floor}. OG ({printer}) druckt {since} nicht mehr.",
                "am {printer} in Raum {room} steckt ständig Papier fest.",
                "der Drucker zeigt die Fehlermeldung {code} und bleibt hängen.",
                "in Raum {room} ist der Toner leer, es kommen nur noch weiße Seiten.",
            ],
            "en": [
                "the printer on floor {floor} ({printer}) has not printed {since}.",
                "the {printer} in room {room} keeps jamming.",
                "the printer shows error {code} and then stops.",
                "the toner in room {room} is empty, the printer only prints blank pages.",
            ],
        },
        details={
            "de": [
                "Die Aufträge bleiben in der Warteschlange stehen.",
                "Das Display blinkt orange.",
                "Andere Drucker funktionieren.",
            ],
            "en": [
                "The jobs stay in the queue.",
                "The display blinks orange.",
                "Other printers work fine.",
            ],
        },
        answers={
            "de": [
                "wir haben den Druckerspooler neu gestartet, bitte versuchen Sie es noch einmal.",
                "ein Techniker tauscht heute die Fixiereinheit am {printer}.",
                "neuer Toner ist bestellt und wird am {day} geliefert.",
            ],
            "en": [
                "we restarted the print spooler, please try again.",
                "a technician is replacing the fuser unit of the {printer} today.",
                "new toner is on order and arrives on {day}.",
            ],
        },
    ),
    Topic(
        key="password",
        group=FIRST_LEVEL,
        category=("Access", "Password"),
        titles={
            "de": ["Passwort vergessen", "Konto gesperrt", "Kann mich nicht mehr anmelden"],
            "en": ["Forgot my password", "Account locked", "Cannot sign in any more"],
        },
        problems={
            "de": [
                "ich habe mein Passwort vergessen und komme nicht mehr in {app}.",
                "mein Konto ist gesperrt, ich habe das Passwort {count} Mal falsch eingegeben.",
                "die Anmeldung schlägt {since} mit Fehler {code} fehl.",
            ],
            "en": [
                "I forgot my password and cannot get into {app}.",
                "my account is locked after I typed the password wrong {count} times.",
                "signing in has failed with error {code} {since}.",
            ],
        },
        details={
            "de": ["Die Zwei-Faktor-App habe ich noch.", "Ich bin gerade im Homeoffice."],
            "en": ["I still have the two-factor app.", "I am working from home today."],
        },
        answers={
            "de": [
                "Ihr Konto ist entsperrt. Sie bekommen gleich einen Link zum Zurücksetzen.",
                "bitte setzen Sie das Passwort über das Self-Service-Portal zurück.",
            ],
            "en": [
                "your account is unlocked. You will receive a reset link shortly.",
                "please reset your password through the self-service portal.",
            ],
        },
    ),
    Topic(
        key="software",
        group=FIRST_LEVEL,
        category=("Software", "Installation"),
        titles={
            "de": ["Installation von {app} benötigt", "{app} startet nicht", "Lizenz für {app}"],
            "en": ["Please install {app}", "{app} does not start", "Licence for {app}"],
        },
        problems={
            "de": [
                "für ein neues Projekt brauche ich {app} auf meinem Rechner ({asset}).",
                "{app} startet {since} nicht mehr, es kommt nur Fehler {code}.",
                "meine Lizenz für {app} ist abgelaufen.",
            ],
            "en": [
                "I need {app} on my computer ({asset}) for a new project.",
                "{app} has not started {since}, all I get is error {code}.",
                "my licence for {app} has expired.",
            ],
        },
        details={
            "de": ["Mein Teamleiter hat das freigegeben.", "Die Lizenz läuft über die Abteilung."],
            "en": ["My team lead approved it.", "The licence is paid by our department."],
        },
        answers={
            "de": [
                "{app} wird heute Nacht automatisch installiert, bitte lassen Sie den Rechner an.",
                "wir haben {app} repariert, bitte melden Sie sich einmal ab und wieder an.",
            ],
            "en": [
                "{app} will be installed automatically tonight, please leave the computer on.",
                "we repaired {app}, please sign out and in again.",
            ],
        },
    ),
    Topic(
        key="vpn",
        group=IT,
        category=("Network", "VPN"),
        titles={
            "de": [
                "VPN verbindet nicht",
                "VPN bricht ständig ab",
                "Kein Zugriff aufs Netzlaufwerk",
            ],
            "en": ["VPN does not connect", "VPN keeps dropping", "No access to the network drive"],
        },
        problems={
            "de": [
                "das VPN verbindet sich {since} nicht mehr, Fehler {code}.",
                "im Homeoffice bricht die VPN-Verbindung alle paar Minuten ab.",
                "über VPN erreiche ich das Laufwerk S: nicht.",
            ],
            "en": [
                "the VPN has not connected {since}, error {code}.",
                "when working from home the VPN drops every few minutes.",
                "over the VPN I cannot reach the S: drive.",
            ],
        },
        details={
            "de": ["Mein Internet zu Hause funktioniert sonst.", "Ich nutze den {laptop}."],
            "en": ["My internet at home works otherwise.", "I am using the {laptop}."],
        },
        answers={
            "de": [
                "das Zertifikat war abgelaufen, wir haben es erneuert. Bitte VPN neu starten.",
                "wir haben das Profil angepasst, bitte einmal neu verbinden.",
            ],
            "en": [
                "the certificate had expired and we renewed it. Please restart the VPN.",
                "we adjusted your profile, please reconnect once.",
            ],
        },
    ),
    Topic(
        key="mail",
        group=IT,
        category=("Software", "E-Mail"),
        titles={
            "de": ["Outlook synchronisiert nicht", "Postfach voll", "Mails kommen nicht an"],
            "en": ["Outlook does not sync", "Mailbox full", "Mails are not arriving"],
        },
        problems={
            "de": [
                "Outlook synchronisiert {since} nicht mehr, der Posteingang bleibt leer.",
                "mein Postfach ist voll und ich kann keine Mails mehr senden.",
                "Mails an externe Empfänger kommen mit {code} zurück.",
            ],
            "en": [
                "Outlook has not synced {since}, the inbox stays empty.",
                "my mailbox is full and I cannot send mail any more.",
                "mail to outside recipients bounces with {code}.",
            ],
        },
        details={
            "de": ["Auf dem Handy kommen die Mails an.", "Webmail funktioniert."],
            "en": ["Mail arrives on my phone.", "Webmail works."],
        },
        answers={
            "de": [
                "wir haben Ihr Postfach auf 100 GB erweitert.",
                "das Outlook-Profil wurde neu angelegt, bitte Outlook neu starten.",
            ],
            "en": [
                "we increased your mailbox to 100 GB.",
                "we recreated your Outlook profile, please restart Outlook.",
            ],
        },
    ),
    Topic(
        key="laptop",
        group=IT,
        category=("Hardware", "Laptop"),
        titles={
            "de": ["{laptop} startet nicht", "Neuer Laptop für neue Kollegin", "Akku hält nicht"],
            "en": [
                "{laptop} does not boot",
                "New laptop for a new colleague",
                "Battery drains fast",
            ],
        },
        problems={
            "de": [
                "mein {laptop} ({asset}) startet {since} nicht mehr.",
                "ab {day} fängt eine neue Kollegin an und braucht einen Laptop.",
                "der Akku meines {laptop} hält nur noch eine Stunde.",
            ],
            "en": [
                "my {laptop} ({asset}) has not booted {since}.",
                "a new colleague starts on {day} and needs a laptop.",
                "the battery of my {laptop} lasts only an hour.",
            ],
        },
        details={
            "de": ["Die LED blinkt {count} Mal.", "Ich brauche ihn dringend für Kundentermine."],
            "en": ["The LED blinks {count} times.", "I need it urgently for customer visits."],
        },
        answers={
            "de": [
                "Sie bekommen ein Ersatzgerät, bitte holen Sie es in Raum {room} ab.",
                "der Laptop ist eingerichtet und liegt ab {day} bereit.",
            ],
            "en": [
                "you will get a replacement, please collect it in room {room}.",
                "the laptop is set up and ready from {day}.",
            ],
        },
    ),
    Topic(
        key="heating",
        group=FACILITY,
        category=("Building", "Heating"),
        titles={
            "de": [
                "Heizung in Raum {room} kalt",
                "Klimaanlage zu laut",
                "Fenster lässt sich nicht schließen",
            ],
            "en": [
                "Heating cold in room {room}",
                "Air conditioning too loud",
                "Window will not close",
            ],
        },
        problems={
            "de": [
                "in Raum {room} ist die Heizung {since} kalt, wir haben 17 Grad.",
                "die Klimaanlage im {floor}. OG ist extrem laut.",
                "das Fenster in Raum {room} lässt sich nicht mehr schließen.",
            ],
            "en": [
                "the heating in room {room} has been cold {since}, it is 17 degrees.",
                "the air conditioning on floor {floor} is extremely loud.",
                "the window in room {room} will not close any more.",
            ],
        },
        details={
            "de": ["Das Thermostat steht auf 5.", "Es betrifft das ganze Großraumbüro."],
            "en": ["The thermostat is set to 5.", "It affects the whole open-plan office."],
        },
        answers={
            "de": [
                "der Hausmeister kommt am {day} vorbei und entlüftet die Heizung.",
                "die Fachfirma ist beauftragt, Termin ist {day}.",
            ],
            "en": [
                "the caretaker will bleed the radiator on {day}.",
                "the contractor is booked for {day}.",
            ],
        },
    ),
    Topic(
        key="rooms",
        group=FACILITY,
        category=("Rooms", "Meeting rooms"),
        titles={
            "de": ["Beamer in Besprechungsraum {room} defekt", "Raumbuchung für {day}"],
            "en": ["Projector in meeting room {room} broken", "Room booking for {day}"],
        },
        problems={
            "de": [
                "der Beamer in Besprechungsraum {room} zeigt kein Bild.",
                "für {day} brauchen wir einen Raum für {count}0 Personen in {city}.",
            ],
            "en": [
                "the projector in meeting room {room} shows no picture.",
                "on {day} we need a room for {count}0 people in {city}.",
            ],
        },
        details={
            "de": ["Ein Kundentermin ist geplant.", "Catering wäre auch schön."],
            "en": ["A customer meeting is planned.", "Catering would be nice too."],
        },
        answers={
            "de": ["der Raum {room} ist für Sie reserviert.", "der Beamer wurde getauscht."],
            "en": ["room {room} is booked for you.", "the projector has been replaced."],
        },
    ),
    Topic(
        key="access_card",
        group=FACILITY,
        category=("Building", "Access cards"),
        titles={
            "de": ["Zutrittskarte funktioniert nicht", "Neue Zutrittskarte benötigt"],
            "en": ["Access card not working", "New access card needed"],
        },
        problems={
            "de": [
                "meine Zutrittskarte öffnet die Tür im {floor}. OG {since} nicht mehr.",
                "ich habe meine Zutrittskarte verloren.",
            ],
            "en": [
                "my access card has not opened the door on floor {floor} {since}.",
                "I lost my access card.",
            ],
        },
        details={
            "de": ["Am Empfang wurde ich hierher verwiesen."],
            "en": ["Reception sent me here."],
        },
        answers={
            "de": ["die Karte ist neu freigeschaltet.", "die neue Karte liegt am Empfang."],
            "en": ["the card has been enabled again.", "your new card is at reception."],
        },
    ),
    Topic(
        key="payroll",
        group=HR,
        category=("Payroll",),
        titles={
            "de": ["Frage zur Gehaltsabrechnung", "Lohnsteuerbescheinigung fehlt"],
            "en": ["Question about my payslip", "Tax certificate missing"],
        },
        problems={
            "de": [
                "auf meiner Gehaltsabrechnung fehlen die Überstunden aus dem Vormonat.",
                "ich habe meine Lohnsteuerbescheinigung noch nicht erhalten.",
            ],
            "en": [
                "the overtime from last month is missing on my payslip.",
                "I have not received my annual tax certificate yet.",
            ],
        },
        details={
            "de": ["Personalnummer liegt Ihnen vor.", "Ich brauche sie für die Steuererklärung."],
            "en": ["You have my personnel number.", "I need it for my tax return."],
        },
        answers={
            "de": [
                "die Korrektur erfolgt mit der nächsten Abrechnung.",
                "die Bescheinigung ist unterwegs.",
            ],
            "en": ["the correction comes with the next payslip.", "the certificate is on its way."],
        },
    ),
    Topic(
        key="leave",
        group=HR,
        category=("Leave",),
        titles={
            "de": ["Resturlaub aus dem Vorjahr", "Elternzeit beantragen"],
            "en": ["Remaining leave from last year", "Applying for parental leave"],
        },
        problems={
            "de": [
                "ich habe noch {count} Tage Resturlaub. Bis wann muss ich sie nehmen?",
                "ich möchte Elternzeit ab {day} in drei Monaten beantragen.",
            ],
            "en": [
                "I have {count} days of leave left and would like to know when they expire.",
                "I would like to apply for parental leave starting in three months.",
            ],
        },
        details={
            "de": ["Meine Führungskraft ist informiert."],
            "en": ["My manager knows about it."],
        },
        answers={
            "de": [
                "der Resturlaub verfällt am 31. März.",
                "das Formular ist im Anhang, bitte unterschrieben zurück.",
            ],
            "en": [
                "remaining leave expires on 31 March.",
                "please sign and return the attached form.",
            ],
        },
    ),
    Topic(
        key="onboarding",
        group=HR,
        category=("Onboarding",),
        titles={
            "de": ["Onboarding neue Mitarbeiterin in {city}", "Arbeitsvertrag für Neueinstellung"],
            "en": ["Onboarding a new hire in {city}", "Contract for a new hire"],
        },
        problems={
            "de": [
                "am {day} beginnt eine neue Mitarbeiterin in {city}.",
                "für unsere Neueinstellung fehlt noch der Arbeitsvertrag.",
            ],
            "en": [
                "a new employee starts in {city} on {day}.",
                "the contract for our new hire is still missing.",
            ],
        },
        details={
            "de": ["Bitte auch IT und Facility informieren."],
            "en": ["Please let IT and Facility know as well."],
        },
        answers={
            "de": ["die Unterlagen sind vorbereitet.", "IT und Facility sind informiert."],
            "en": ["the paperwork is ready.", "IT and Facility have been informed."],
        },
    ),
]

TOPICS_BY_GROUP: dict[str, list[Topic]] = {}
for _topic in TOPICS:
    TOPICS_BY_GROUP.setdefault(_topic.group, []).append(_topic)


@functools.cache
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


class TextMaker:
    """Writes titles and messages for a topic in one language, varied by its random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _fill(self, template: str, language: str, **extra: str) -> str:
        choice = self.rng.choice
        values = dict(extra)
        for name in _placeholders(template):
            if name not in values:
                values[name] = choice(_SLOTS.get(name) or _SLOTS_BY_LANGUAGE[language][name])
        return template.format_map(values)

    def _pick(self, texts: dict[str, list[str]], language: str, **extra: str) -> str:
        return self._fill(self.rng.choice(texts[language]), language, **extra)

    def problem(self, topic: Topic, language: str) -> tuple[str, str]:
        """A title and the sentence that describes the same problem, with the same details."""
        variant = self.rng.randrange(len(topic.titles[language]))
        title = topic.titles[language][variant]
        problem = topic.problems[language][variant]
        values: dict[str, str] = {}
        for name in _placeholders(title) + _placeholders(problem):
            if name not in values:
                values[name] = self.rng.choice(
                    _SLOTS.get(name) or _SLOTS_BY_LANGUAGE[language][name]
                )
        sentence = problem.format_map(values)
        return title.format_map(values), sentence[0].upper() + sentence[1:]

    def customer_message(self, topic: Topic, language: str, name: str, problem: str) -> str:
        """The first message: greeting, `problem` (from `problem()`), details, closing."""
        rng = self.rng
        lines = [rng.choice(_GREETINGS[language]), ""]
        body = [problem, self._pick(topic.details, language)]
        if rng.random() < 0.6:
            body.append(rng.choice(_URGENCY[language]))
        lines.append(" ".join(body))
        lines += ["", rng.choice(_CLOSINGS[language]), name]
        return "\n".join(lines)

    def customer_follow_up(self, language: str, name: str) -> str:
        rng = self.rng
        text = self._pick(_FOLLOW_UPS, language)
        greeting, closing = rng.choice(_GREETINGS[language]), rng.choice(_CLOSINGS[language])
        return f"{greeting}\n\n{text}\n\n{closing}\n{name}"

    def agent_reply(self, topic: Topic, language: str, customer: str, agent: str) -> str:
        rng = self.rng
        greeting = rng.choice(_AGENT_GREETINGS[language]).format(name=customer)
        thanks = _THANKS[language]
        answer = self._pick(topic.answers, language)
        closing = rng.choice(_AGENT_CLOSINGS[language])
        return f"{greeting}\n\n{thanks} {answer}\n\n{closing}\n{agent}"

    def phone_call(self, topic: Topic, language: str, name: str, problem: str) -> str:
        intro = "Anruf von {name}:" if language == "de" else "Call from {name}:"
        detail = self._pick(topic.details, language)
        return f"{intro.format(name=name)} {problem} {detail}"

    def internal_note(self, language: str) -> str:
        return self._pick(_INTERNAL_NOTES, language)

    def phone_note(self, language: str, name: str) -> str:
        return self._pick(_PHONE_NOTES, language, name=name)

    def acknowledgement(self, language: str, customer: str, agent: str) -> str:
        """A first answer that promises the specialists will follow up."""
        rng = self.rng
        greeting = rng.choice(_AGENT_GREETINGS[language]).format(name=customer)
        thanks = _THANKS[language]
        text = rng.choice(_ACKNOWLEDGEMENTS[language])
        return f"{greeting}\n\n{thanks} {text}\n\n{rng.choice(_AGENT_CLOSINGS[language])}\n{agent}"

    def handover_note(self, language: str) -> str:
        return self._pick(_HANDOVERS, language)
