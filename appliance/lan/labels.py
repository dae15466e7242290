"""Words for the codes staff would otherwise read: audit actions, statuses, categories, types."""

from __future__ import annotations

from appliance.lan.i18n import gettext

# Every action the audit log records, in the staff's words (a test checks none is missing).
AUDIT_ACTIONS: dict[str, str] = {
    "account.notice": "Avviso di Meta sull'account WhatsApp",
    "alert.approved": "Allerta approvata",
    "alert.dismissed": "Allerta scartata",
    "alert.sent": "Allerta inviata",
    "backup.created": "Backup creato",
    "backup.downloaded": "Backup scaricato",
    "backup.restore_cancelled": "Ripristino di un backup annullato",
    "backup.restore_requested": "Ripristino di un backup confermato",
    "backup.restore_staged": "Ripristino di un backup preparato",
    "bot.question_added": "Bot: domanda aggiunta",
    "bot.question_changed": "Bot: domanda modificata",
    "bot.texts_changed": "Bot: testi modificati",
    "bot.topic_added": "Bot: argomento aggiunto",
    "bot.topic_changed": "Bot: argomento modificato",
    "campaign.cancelled": "Campagna annullata",
    "campaign.created": "Campagna creata",
    "campaign.emergency": "Campagna di emergenza avviata",
    "campaign.paused": "Campagna messa in pausa",
    "campaign.resumed": "Campagna ripresa",
    "campaign.scheduled": "Campagna programmata",
    "campaign.sent": "Campagna inviata",
    "draft.created": "Bozza di campagna creata",
    "draft.saved": "Bozza di campagna modificata",
    "emergency.armed": "Emergenza: messaggio preparato",
    "emergency.disarmed": "Emergenza: messaggio ritirato",
    "emergency.finished": "Emergenza: invio concluso",
    "emergency.press": "Emergenza: pulsante premuto",
    "emergency.test_mode": "Emergenza: modalità prova cambiata",
    "emergency.test_numbers": "Emergenza: numeri di prova cambiati",
    "inbox.done": "Messaggi: segnato come gestito",
    "inbox.replied": "Messaggi: risposta inviata",
    "inbox.template_sent": "Messaggi: modello inviato",
    "login": "Accesso",
    "login.failed": "Accesso non riuscito",
    "logout": "Uscita",
    "privacy.draft_saved": "Informativa: bozza salvata",
    "privacy.published": "Informativa pubblicata",
    "segment.deleted": "Segmento eliminato",
    "segment.saved": "Segmento salvato",
    "settings.changed": "Impostazioni cambiate",
    "setup.completed": "Prima configurazione completata",
    "setup.failed": "Prima configurazione non riuscita",
    "studio.election_off": "Periodo elettorale disattivato",
    "studio.election_on": "Periodo elettorale attivato",
    "studio.election_period": "Periodo elettorale cambiato",
    "studio.launched": "Campagna avviata",
    "studio.rejected": "Campagna respinta",
    "studio.submitted": "Campagna inviata per approvazione",
    "subscriber.erased": "Iscritto: dati cancellati",
    "subscriber.exported": "Iscritto: dati esportati",
    "subscriber.subscribed": "Iscritto: iscrizione",
    "subscriber.unsubscribed": "Iscritto: disiscrizione",
    "subscribers.exported": "Elenco iscritti esportato",
    "subscribers.import_undone": "Importazione di iscritti annullata",
    "subscribers.imported": "Iscritti importati",
    "template.submitted": "Modello inviato a Meta per l'approvazione",
    "templates.refreshed": "Elenco dei modelli riletto da Meta",
    "token.created": "Chiave API creata",
    "token.revoked": "Chiave API revocata",
    "user.created": "Utente creato",
    "user.disable": "Utente disattivato",
    "user.enable": "Utente riattivato",
    "user.password": "Password di un utente cambiata",
    "user.role": "Ruolo di un utente cambiato",
}

# Other codes by kind: what Meta, the engine or the box store, as staff should read them.
KINDS: dict[str, dict[str, str]] = {
    "template_status": {
        "APPROVED": "Approvato",
        "PENDING": "In revisione da Meta",
        "REJECTED": "Rifiutato",
        "PAUSED": "Sospeso da Meta",
        "DISABLED": "Disattivato da Meta",
        "IN_APPEAL": "In appello",
        "LIMIT_EXCEEDED": "Limite superato",
        "FLAGGED": "Segnalato da Meta",
        "DELETED": "Eliminato",
    },
    "template_category": {
        "MARKETING": "Marketing",
        "UTILITY": "Servizio (utility)",
        "AUTHENTICATION": "Autenticazione",
    },
    "media": {
        "IMAGE": "Immagine",
        "DOCUMENT": "Documento",
        "VIDEO": "Video",
        "TEXT": "Testo",
        "image": "Immagine",
        "document": "Documento",
        "video": "Video",
        "audio": "Audio",
        "text": "Testo",
        "location": "Luogo sulla mappa",
        "link": "Collegamento",
        "sticker": "Adesivo",
    },
    "backup": {
        "manual": "fatto a mano",
        "nightly": "notturno",
        "upgrade": "prima di un aggiornamento",
        "before-restore": "prima di un ripristino",
    },
    "press_source": {
        "button": "pulsante fisico",
        "virtual button": "pulsante simulato (prova)",
    },
}


def label(code: str | None, kind: str) -> str:
    """A stored code of ``kind`` in the staff's language, the code itself when unknown."""
    if code is None:
        return ""
    words = AUDIT_ACTIONS if kind == "audit" else KINDS[kind]
    return gettext(words[code]) if code in words else code


def all_labels() -> set[str]:
    """Every Italian label, for the catalog completeness test."""
    return set(AUDIT_ACTIONS.values()) | {w for kind in KINDS.values() for w in kind.values()}
