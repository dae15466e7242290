"""English for the Cloud API's staff-facing texts: the account health line (Italian -> English)."""

MESSAGES_EN: dict[str, str] = {
    "nessun avviso": "no notices",
    "riattivato da Meta": "reinstated by Meta",
    "Meta disattiva l'account dal {date}": "Meta is disabling the account from {date}",
    "Meta disattiva l'account": "Meta is disabling the account",
    "Meta ha deciso di disattivare l'account WhatsApp del Comune dal {date}: dopo, nessun "
    "messaggio potrà essere inviato. Aprire Meta Business Suite > Qualità dell'account e chiedere "
    "una revisione; nel frattempo avvisare i cittadini con altri canali.": "Meta has decided to "
    "disable the town hall's WhatsApp account from {date}: after that, no message can be sent. "
    "Open Meta Business Suite > Account quality and ask for a review; meanwhile, reach citizens "
    "through other channels.",
    "Meta ha deciso di disattivare l'account WhatsApp del Comune: dopo, nessun messaggio potrà "
    "essere inviato. Aprire Meta Business Suite > Qualità dell'account e chiedere una revisione; "
    "nel frattempo avvisare i cittadini con altri canali.": "Meta has decided to disable the town "
    "hall's WhatsApp account: after that, no message can be sent. Open Meta Business Suite > "
    "Account quality and ask for a review; meanwhile, reach citizens through other channels.",
    "limitato da Meta": "restricted by Meta",
    "Meta ha limitato l'account WhatsApp: {limits}. Di solito dipende da molte segnalazioni dei "
    "cittadini. Controllare Meta Business Suite > Qualità dell'account e sospendere le campagne "
    "non urgenti.": "Meta has restricted the WhatsApp account: {limits}. This usually follows "
    "many reports by citizens. Check Meta Business Suite > Account quality and pause campaigns "
    "that are not urgent.",
    "alcune funzioni sono bloccate": "some features are blocked",
    "non può avviare conversazioni (campagne e avvisi)": "it cannot start conversations "
    "(campaigns and alerts)",
    "non può rispondere ai cittadini": "it cannot answer citizens",
    "non può aggiungere numeri": "it cannot add numbers",
    "violazione segnalata": "violation reported",
    "Meta segnala una violazione delle regole di WhatsApp (tipo: {kind}). Altre violazioni "
    "possono portare a limiti o alla disattivazione: rileggere i messaggi inviati di recente e le "
    "regole di Meta.": "Meta reports a breach of WhatsApp's rules (type: {kind}). Further "
    "breaches can lead to restrictions or to the account being disabled: reread the messages sent "
    "recently and Meta's rules.",
    "non indicata": "not given",
    "scollegato da Meta": "disconnected by Meta",
    "L'account WhatsApp non è più collegato a questa applicazione: nessun messaggio può essere "
    "inviato. Controllare in Meta Business Suite chi lo ha scollegato.": "The WhatsApp account "
    "is no longer connected to this application: no message can be sent. Check in Meta Business "
    "Suite who disconnected it.",
    "attivo": "active",
    " (limite attuale: {tier})": " (current limit: {tier})",
    "qualità del numero bassa": "low number quality",
    "Molti cittadini hanno bloccato o segnalato i messaggi{limit}. Se la qualità non migliora in "
    "7 giorni Meta riduce il numero di persone raggiungibili al giorno: inviare meno campagne e "
    "solo a chi le ha chieste.": "Many citizens have blocked or reported the messages{limit}. If "
    "quality does not improve within 7 days, Meta lowers the number of people who can be reached "
    "per day: send fewer campaigns, and only to those who asked for them.",
    "limite giornaliero ridotto{limit}": "daily limit lowered{limit}",
    "Meta ha ridotto il numero di persone raggiungibili al giorno fuori dalle conversazioni "
    "aperte: le campagne grandi richiederanno più giorni.": "Meta has lowered the number of "
    "people who can be reached per day outside open conversations: large campaigns will take "
    "several days.",
    "qualità buona{limit}": "good quality{limit}",
    "bassa": "low",
    "in calo": "falling",
    "modello «{name}»: qualità {how}": "template “{name}”: {how} quality",
    "I cittadini reagiscono male al modello «{name}» (qualità {how}): Meta potrebbe sospenderlo. "
    "Rivederne il testo o usarlo meno spesso.": "Citizens react badly to the template “{name}” "
    "({how} quality): Meta may pause it. Revise its text or use it less often.",
    "modello «{name}»: qualità buona": "template “{name}”: good quality",
    "modello «{name}» sospeso da Meta": "template “{name}” paused by Meta",
    "Meta ha sospeso il modello «{name}» per la bassa qualità: i messaggi che lo usano vengono "
    "rifiutati finché non torna attivo. Scegliere un altro modello approvato.": "Meta has paused "
    "the template “{name}” for low quality: messages using it are refused until it is active "
    "again. Choose another approved template.",
    "modello «{name}» segnalato da Meta": "template “{name}” flagged by Meta",
    "Il modello «{name}» ha ricevuto molte reazioni negative: Meta potrebbe sospenderlo a breve. "
    "Rivederne il testo o usarlo meno spesso.": "The template “{name}” has had many negative "
    "reactions: Meta may pause it soon. Revise its text or use it less often.",
    "modello «{name}» non più utilizzabile": "template “{name}” can no longer be used",
    "Meta ha messo il modello «{name}» in stato {status}: crearne uno nuovo o sceglierne un altro "
    "nella pagina Modelli.": "Meta has set the template “{name}” to {status}: create a new one or "
    "choose another on the Templates page.",
    "modello «{name}» attivo": "template “{name}” active",
    "errore dell'account (codice {code})": "account error (code {code})",
    "Meta segnala un problema dell'account: {meaning}{said}. Controllare Meta Business Suite e il "
    "token di accesso.": "Meta reports an account problem: {meaning}{said}. Check Meta Business "
    "Suite and the access token.",
}
