"""The bot's default texts, Italian and English, with where each is used and its Cloud API limit."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.cloudapi import limits


@dataclass(frozen=True)
class Text:
    """One editable text: defaults, where it is used (for staff) and its length limit."""

    it: str
    en: str
    label: str  # Italian, shown in the bot editor
    limit: int = limits.TEXT_BODY
    placeholders: tuple[str, ...] = ()


_MENU_BODY = limits.LIST_BODY
T = Text
DEFAULTS: dict[str, Text] = {
    "welcome": T(
        "Benvenuto nel servizio WhatsApp del {comune}! 👋\n"
        "Scegli un'opzione dal menu oppure scrivi il suo numero:\n"
        "1 Previsioni meteo\n2 Allerte meteo di Regione Lombardia\n3 Sito del Comune\n"
        "4 Iscriviti agli avvisi\n5 Informativa privacy\n6 Cancella l'iscrizione\n\n"
        "0 o MENU mostra di nuovo il menu, AIUTO i comandi.",
        "Welcome to the WhatsApp service of the {comune}! 👋\n"
        "Pick an option from the menu or type its number:\n"
        "1 Weather forecast\n2 Weather alerts of Regione Lombardia\n3 Town website\n"
        "4 Subscribe to notices\n5 Privacy notice\n6 Unsubscribe\n\n"
        "0 or MENU shows the menu again, HELP the commands.",
        "Benvenuto e menu (testo del messaggio)",
        _MENU_BODY,
        ("comune",),
    ),
    "menu_button": T("Apri il menu", "Open the menu", "Pulsante del menu", limits.LIST_BUTTON),
    "menu_section": T("Servizi", "Services", "Titolo della sezione del menu", limits.ROW_TITLE),
    "menu_1": T("Previsioni meteo", "Weather forecast", "Menu, voce 1", limits.ROW_TITLE),
    "menu_2": T(
        "Allerte meteo Lombardia", "Lombardy weather alerts", "Menu, voce 2", limits.ROW_TITLE
    ),
    "menu_3": T("Sito del Comune", "Town website", "Menu, voce 3", limits.ROW_TITLE),
    "menu_4": T("Iscriviti (14+ anni)", "Subscribe (14+)", "Menu, voce 4", limits.ROW_TITLE),
    "menu_4_detail": T(
        "Ricevi qui gli avvisi del Comune",
        "Get the town hall's notices here",
        "Menu, voce 4: descrizione sotto la voce",
        limits.ROW_DESCRIPTION,
    ),
    "menu_privacy": T(
        "Con «Iscriviti» (dai 14 anni) ricevi qui gli avvisi del {comune}: useremo il tuo numero "
        "e le risposte che sceglierai di darci solo per questo servizio. Informativa: {notice}",
        "With «Subscribe» (aged 14 or more) you get the {comune}'s notices here: we use your "
        "number and the answers you choose to give only for this service. Privacy notice: "
        "{notice}",
        "Menu: riga sull'iscrizione e l'informativa (sotto il benvenuto)",
        limits.BUTTON_BODY,
        ("comune", "notice"),
    ),
    "privacy_ask": T(
        "scrivi PRIVACY", "write PRIVACY", "Menu: informativa senza indirizzo pubblico", 60
    ),
    "menu_5": T("Informativa privacy", "Privacy notice", "Menu, voce 5", limits.ROW_TITLE),
    "menu_6": T("Cancella iscrizione", "Unsubscribe", "Menu, voce 6", limits.ROW_TITLE),
    "help": T(
        "Comandi che puoi scrivere in ogni momento:\n"
        "MENU o 0: il menu\nISCRIVIMI o 4: iscriviti agli avvisi\n"
        "STOP (o CANCELLAMI, DISISCRIVIMI): non ricevere più messaggi\n"
        "ANNULLA: interrompi l'operazione in corso\nPROFILO: cambia le tue risposte\n"
        "PRIVACY: l'informativa\nI MIEI DATI: i dati che conserviamo su di te\n"
        "CANCELLA I MIEI DATI: cancella tutti i tuoi dati\nENGLISH: messages in English\n"
        "Ogni altro messaggio arriva al personale del Comune.",
        "Commands you can write at any time:\n"
        "MENU or 0: the menu\nSUBSCRIBE or 4: subscribe to notices\n"
        "STOP (or UNSUBSCRIBE): no more messages\nCANCEL: stop the current step\n"
        "PROFILE: change your answers\nPRIVACY: the privacy notice\n"
        "MY DATA: what we store about you\nDELETE MY DATA: erase all your data\n"
        "ITALIANO: messaggi in italiano\n"
        "Any other message reaches the town hall staff.",
        "Aiuto: elenco dei comandi",
    ),
    "not_available": T(
        "Questo servizio non è ancora disponibile. Riprova più tardi o scrivi MENU.",
        "This service is not available yet. Please try later or write MENU.",
        "Servizio non ancora disponibile (opzioni 1 e 2)",
    ),
    "website": T(
        "Il sito del {comune}: {website}",
        "The website of the {comune}: {website}",
        "Opzione 3: sito del Comune",
        placeholders=("comune", "website"),
    ),
    "website_url": T("", "", "Indirizzo del sito (vuoto: quello della configurazione)", 500),
    "privacy_summary": T(
        "In breve: il {comune} (titolare del trattamento) usa il tuo numero e le risposte che "
        "scegli di dare solo per inviarti le comunicazioni del Comune e rispondere alle tue "
        "richieste. WhatsApp è un servizio di Meta (responsabile del trattamento; i dati possono "
        "essere trasferiti negli Stati Uniti). Puoi vedere i tuoi dati (I MIEI DATI), cambiarli "
        "(PROFILO), cancellarli (CANCELLA I MIEI DATI) o disiscriverti (STOP) quando vuoi.",
        "In short: the {comune} (data controller) uses your number and the answers you choose "
        "to give only to send you the town hall's messages and answer your requests. WhatsApp "
        "is a Meta service (processor; data may be transferred to the United States). You can "
        "see your data (MY DATA), change it (PROFILE), erase it (DELETE MY DATA) or unsubscribe "
        "(STOP) at any time.",
        "Privacy: riassunto in chat",
        placeholders=("comune",),
    ),
    "privacy_link": T(
        "Informativa completa (versione {version}): {link}",
        "Full privacy notice (version {version}): {link}",
        "Privacy: riga con il collegamento all'informativa",
        placeholders=("version", "link"),
    ),
    "optin_question": T(
        "Vuoi ricevere qui su WhatsApp gli avvisi del {comune}? WhatsApp ci chiede di "
        "domandartelo prima di scriverti. L'iscrizione è per chi ha almeno 14 anni e puoi "
        "smettere quando vuoi scrivendo STOP.",
        "Would you like to receive the {comune}'s notices here on WhatsApp? WhatsApp asks us to "
        "check with you before we write. Subscribing is for people aged 14 or more, and you can "
        "stop at any time by writing STOP.",
        "Iscrizione: richiesta di adesione (chiesta da WhatsApp)",
        limits.BUTTON_BODY,
        ("comune",),
    ),
    "optin_yes": T(
        "Sì, mi iscrivo", "Yes, subscribe me", "Pulsante: adesione sì", limits.BUTTON_TITLE
    ),
    "optin_minor": T(
        "Ho meno di 14 anni", "I am under 14", "Pulsante: meno di 14 anni", limits.BUTTON_TITLE
    ),
    "optin_no": T("No, grazie", "No, thanks", "Pulsante: adesione no", limits.BUTTON_TITLE),
    "age_refused": T(
        "Ci dispiace: l'iscrizione è riservata a chi ha almeno 14 anni. Un genitore può "
        "iscriversi con il proprio numero. Scrivi MENU per il menu.",
        "Sorry: subscribing is reserved to people aged 14 or more. A parent can subscribe with "
        "their own number. Write MENU for the menu.",
        "Iscrizione: età insufficiente",
    ),
    "consent_refused": T(
        "Va bene, non ti abbiamo iscritto. Scrivi MENU per il menu.",
        "All right, you are not subscribed. Write MENU for the menu.",
        "Iscrizione: adesione rifiutata",
    ),
    "questions_intro": T(
        "Sei iscritto agli avvisi del {comune} ✅ Per smettere scrivi STOP.\n"
        "Ora {count} domande facoltative, per ricevere solo ciò che ti interessa. "
        "Puoi saltarne una scrivendo SALTA.",
        "You are subscribed to the {comune}'s notices ✅ To stop write STOP.\n"
        "Now {count} optional questions, so you only get what interests you. "
        "Skip one by writing SKIP.",
        "Iscrizione fatta: introduzione alle domande del profilo (nello stesso messaggio)",
        limits.BUTTON_BODY,
        ("comune", "count"),
    ),
    "choose_button": T("Scegli", "Choose", "Pulsante delle domande a scelta", limits.LIST_BUTTON),
    "skip_label": T("Salta", "Skip", "Voce per saltare una domanda", limits.ROW_TITLE),
    "hint_single": T(
        "Scegli un'opzione (o scrivi il suo numero), oppure SALTA.",
        "Pick an option (or type its number), or SKIP.",
        "Suggerimento: scelta singola",
    ),
    "hint_multiple": T(
        "Scrivi i numeri o i nomi delle opzioni che vuoi, separati da una virgola (es. 1,3), "
        "oppure SALTA.",
        "Type the numbers or names of the options you want, separated by commas (e.g. 1,3), "
        "or SKIP.",
        "Suggerimento: scelta multipla",
    ),
    "hint_number": T(
        "Scrivi un numero, oppure SALTA.", "Type a number, or SKIP.", "Suggerimento: numero"
    ),
    "hint_text": T(
        "Scrivi la tua risposta, oppure SALTA.",
        "Type your answer, or SKIP.",
        "Suggerimento: testo libero",
    ),
    "question_purpose": T(
        "(Serve a {purpose}.)",
        "(Used for {purpose}.)",
        "Profilo: a cosa serve la risposta, sotto ogni domanda",
        placeholders=("purpose",),
    ),
    "current_answer": T(
        "Risposta attuale: {answer}",
        "Current answer: {answer}",
        "PROFILO: la risposta data finora, sotto la domanda",
        placeholders=("answer",),
    ),
    "invalid_answer": T(
        "Non ho capito la risposta.", "I did not understand the answer.", "Risposta non valida"
    ),
    "subscribed": T(
        "Iscrizione completata! ✅ Riceverai: {topics}.\n"
        "Scrivi PROFILO per cambiare le risposte, I MIEI DATI per vedere i tuoi dati, STOP per "
        "disiscriverti.",
        "You are subscribed! ✅ You will receive: {topics}.\n"
        "Write PROFILE to change your answers, MY DATA to see your data, STOP to unsubscribe.",
        "Iscrizione completata",
        placeholders=("topics",),
    ),
    "profile_updated": T(
        "Profilo aggiornato. Riceverai: {topics}.",
        "Profile updated. You will receive: {topics}.",
        "Profilo aggiornato",
        placeholders=("topics",),
    ),
    "already_subscribed": T(
        "Sei già iscritto. Scrivi PROFILO per cambiare le risposte o STOP per disiscriverti.",
        "You are already subscribed. Write PROFILE to change your answers or STOP to unsubscribe.",
        "Già iscritto",
    ),
    "notice_not_published": T(
        "Le iscrizioni non sono ancora aperte: il Comune sta completando l'informativa sulla "
        "privacy. Riprova tra qualche giorno; intanto il menu resta a disposizione (scrivi MENU).",
        "Subscriptions are not open yet: the town hall is completing its privacy notice. Please "
        "try again in a few days; the menu is still there for you (write MENU).",
        "Iscrizione: informativa non ancora pubblicata",
    ),
    "not_subscribed": T(
        "Non risulti iscritto agli avvisi: non riceverai messaggi dal Comune. Scrivi 4 per "
        "iscriverti.",
        "You are not subscribed to notices: you will not receive messages. Write 4 to subscribe.",
        "Non iscritto",
    ),
    "unsubscribed": T(
        "Hai annullato l'iscrizione: non riceverai più messaggi dal Comune. Per iscriverti di "
        "nuovo scrivi 4. Per cancellare anche i tuoi dati scrivi CANCELLA I MIEI DATI.",
        "You have unsubscribed: you will receive no more messages from the town hall. Write 4 to "
        "subscribe again, or DELETE MY DATA to erase your data too.",
        "Disiscrizione confermata",
    ),
    "cancelled": T(
        "Operazione annullata. Scrivi MENU per il menu.",
        "Cancelled. Write MENU for the menu.",
        "ANNULLA: operazione annullata",
    ),
    "nothing_to_cancel": T(
        "Non c'è nessuna operazione in corso. Scrivi MENU per il menu.",
        "There is nothing to cancel. Write MENU for the menu.",
        "ANNULLA: nulla da annullare",
    ),
    "my_data": T(
        "Ecco i dati che conserviamo su di te:\nNumero: {number}\nNome del profilo: {name}\n"
        "Stato: {status}\nLingua: {language}\nIscritto dal: {since}\nArgomenti: {topics}\n"
        "Risposte: {answers}\nAdesione agli avvisi: {consents}\nMessaggi conservati: {messages}\n"
        "Per cancellarli scrivi CANCELLA I MIEI DATI.",
        "This is the data we store about you:\nNumber: {number}\nProfile name: {name}\n"
        "Status: {status}\nLanguage: {language}\nSubscribed since: {since}\nTopics: {topics}\n"
        "Answers: {answers}\nAgreement to notices: {consents}\nMessages kept: {messages}\n"
        "To erase it write DELETE MY DATA.",
        "I MIEI DATI",
        placeholders=(
            "number",
            "name",
            "status",
            "language",
            "since",
            "topics",
            "answers",
            "consents",
            "messages",
        ),
    ),
    "erase_question": T(
        "Vuoi cancellare tutti i tuoi dati? Non riceverai più messaggi e la cancellazione non si "
        "può annullare.",
        "Do you want to erase all your data? You will receive no more messages and this cannot "
        "be undone.",
        "Cancellazione: richiesta di conferma",
        limits.BUTTON_BODY,
    ),
    "erase_yes": T("Sì, cancella", "Yes, erase", "Pulsante: cancella sì", limits.BUTTON_TITLE),
    "erase_no": T("No", "No", "Pulsante: cancella no", limits.BUTTON_TITLE),
    "erased": T(
        "I tuoi dati sono stati cancellati e non riceverai più messaggi. Resta solo una traccia "
        "anonima della cancellazione, come richiesto dalla legge.",
        "Your data has been erased and you will receive no more messages. Only an anonymous "
        "record of the erasure remains, as the law requires.",
        "Cancellazione completata",
    ),
    "erase_kept": T(
        "Va bene, i tuoi dati non sono stati cancellati.",
        "All right, your data has not been erased.",
        "Cancellazione rifiutata",
    ),
    "language_set": T(
        "D'accordo, ti scriverò in italiano. Scrivi MENU per il menu.",
        "All right, I will write to you in English. Write MENU for the menu.",
        "Lingua cambiata",
    ),
    "auto_answer": T(
        "Grazie, abbiamo ricevuto il tuo messaggio: lo leggerà il personale del Comune. {hours}"
        "Per il menu scrivi MENU.",
        "Thank you, we received your message: the town hall staff will read it. {hours}"
        "For the menu write MENU.",
        "Risposta automatica ai messaggi liberi",
        placeholders=("hours",),
    ),
    "office_hours": T(
        "Orari dell'ufficio: {office_hours}. ",
        "Office hours: {office_hours}. ",
        "Riga degli orari nella risposta automatica",
        placeholders=("office_hours",),
    ),
    "media": T(
        "Qui posso leggere solo messaggi di testo: non posso ascoltare vocali né vedere sticker. "
        "Scrivi la tua richiesta, oppure MENU per il menu.",
        "I can only read text messages here: I cannot listen to voice notes or see stickers. "
        "Please write your request, or MENU for the menu.",
        "Risposta a vocali, sticker e tipi non gestiti",
    ),
    "expects_answer": T(
        "Rispondi con i pulsanti o scrivendo la risposta. Scrivi ANNULLA per interrompere.",
        "Answer with the buttons or by typing. Write CANCEL to stop.",
        "Risposta attesa durante un'operazione",
    ),
    "old_prompt": T(
        "Quel pulsante appartiene a un messaggio precedente, non più valido.",
        "That button belongs to an earlier message that is no longer valid.",
        "Pulsante di un messaggio vecchio",
    ),
    "welcome_back": T(
        "Bentornato! L'operazione che avevi iniziato è scaduta: ricominciamo dal menu.",
        "Welcome back! What you had started has expired: let's start again from the menu.",
        "Ritorno dopo un'operazione lasciata a metà",
    ),
    "invalid_option": T(
        "Non c'è un'opzione {number}: scegli un numero da 0 a 6.",
        "There is no option {number}: choose a number from 0 to 6.",
        "Numero del menu non valido",
        placeholders=("number",),
    ),
    "flood": T(
        "Stai inviando molti messaggi: ti risponderò tra poco.",
        "You are sending many messages: I will answer shortly.",
        "Troppi messaggi in poco tempo",
    ),
}
del T
