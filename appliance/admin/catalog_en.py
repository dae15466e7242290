"""English translations of the admin shell's Italian source text (a test checks completeness)."""

MESSAGES: dict[str, str] = {
    # Shell and navigation
    "Vai al contenuto principale": "Skip to main content",
    "Navigazione principale": "Main navigation",
    "Il mio account": "My account",
    "Il mio account:": "My account:",
    "Esci": "Log out",
    "Lingua:": "Language:",
    "Dichiarazione di accessibilità": "Accessibility statement",
    "Cruscotto": "Dashboard",
    "Registro attività": "Activity log",
    "Impostazioni": "Settings",
    "obbligatorio": "required",
    "Correggi i campi segnalati:": "Please correct the fields marked:",
    "OK": "OK",
    "Attenzione": "Warning",
    "Errore": "Error",
    "Sconosciuto": "Unknown",
    "Amministratore": "Administrator",
    "Operatore": "Operator",
    "Redattore": "Editor",
    "Lettore": "Viewer",
    # Errors
    "Richiesta non valida": "Invalid request",
    "Accesso richiesto": "Login required",
    "Operazione non consentita": "Not allowed",
    "Pagina non trovata": "Page not found",
    "Operazione non possibile": "Cannot do that",
    "File troppo grande": "File too large",
    "Troppe richieste": "Too many requests",
    "Errore interno": "Internal error",
    "Servizio non disponibile": "Service unavailable",
    "Codice di errore: {status}.": "Error code: {status}.",
    "Torna al cruscotto": "Back to the dashboard",
    # Login
    "Accesso": "Log in",
    "Accedi": "Log in",
    "Nome utente": "Username",
    "Password": "Password",
    "Nome utente o password non corretti.": "Wrong username or password.",
    "Troppi tentativi errati: riprova tra {seconds} secondi.": (
        "Too many failed attempts: try again in {seconds} seconds."
    ),
    "Hai dimenticato la password? Chiedi a un amministratore di impostarne una nuova.": (
        "Forgot your password? Ask an administrator to set a new one."
    ),
    # First run
    "Prima configurazione": "First-time setup",
    "Crea l'account dell'amministratore. Serve il codice monouso scritto nel registro del "
    "servizio all'avvio (valido 24 ore).": (
        "Create the administrator account. You need the one-time code written to the service "
        "log at start (valid for 24 hours)."
    ),
    "Codice di configurazione": "Setup code",
    "Per esempio ABCD-EFGH-JKMN": "For example ABCD-EFGH-JKMN",
    "Nome utente dell'amministratore": "Administrator's username",
    "Ripeti la password": "Repeat the password",
    "Crea l'amministratore": "Create the administrator",
    "Codice di configurazione errato.": "Wrong setup code.",
    "Questo codice è già stato usato.": "This code has already been used.",
    "Il codice è scaduto. Riavvia il servizio per riceverne uno nuovo nel registro, oppure crea "
    "l'amministratore con «appliance user add».": (
        "The code has expired. Restart the service to get a new one in the log, or create the "
        "administrator with “appliance user add”."
    ),
    "Troppi tentativi errati: il codice non vale più. Riavvia il servizio per riceverne uno "
    "nuovo nel registro.": (
        "Too many wrong attempts: the code is no longer valid. Restart the service to get a new "
        "one in the log."
    ),
    "Nessun codice è stato emesso: riavvia il servizio e leggi il registro.": (
        "No code has been issued: restart the service and read the log."
    ),
    "Il sistema è già configurato: accedi con il tuo account.": (
        "The system is already set up: log in with your account."
    ),
    "Benvenuto! L'account amministratore è stato creato.": (
        "Welcome! The administrator account has been created."
    ),
    "Da 2 a 40 caratteri: lettere, cifre, punto, trattino o trattino basso.": (
        "2 to 40 characters: letters, digits, dot, dash or underscore."
    ),
    "Almeno 10 caratteri.": "At least 10 characters.",
    "Le due password non coincidono.": "The two passwords do not match.",
    # Dashboard
    "Tutto funziona.": "Everything works.",
    "Qualcosa richiede attenzione: vedi sotto.": "Something needs attention: see below.",
    # Audit log
    "Filtra il registro": "Filter the log",
    "Azione": "Action",
    "Tutte": "All",
    "Chi": "Who",
    "Dal": "From",
    "Al": "To",
    "Filtra": "Filter",
    "Pagina {n}, dalle più recenti": "Page {n}, newest first",
    "Quando": "When",
    "Oggetto": "Subject",
    "Dettagli": "Details",
    "Indirizzo": "Address",
    "Nessuna voce corrisponde ai filtri.": "No entry matches the filters.",
    "Pagine del registro": "Log pages",
    "← Più recenti": "← Newer",
    "Meno recenti →": "Older →",
    "{label}: data non valida (AAAA-MM-GG).": "{label}: invalid date (YYYY-MM-DD).",
    # Settings
    "Utenti e ruoli": "Users and roles",
    "Chi può accedere e cosa può fare.": "Who can log in and what they can do.",
    "Token API": "API tokens",
    "Chiavi per il sito del comune e altre integrazioni.": (
        "Keys for the comune's website and other integrations."
    ),
    "Dati del comune": "Town data",
    "Contatti e orari mostrati ai cittadini.": "Contacts and opening hours shown to citizens.",
    "Credenziali": "Credentials",
    "Quali chiavi sono configurate (senza mostrarle).": (
        "Which keys are configured (without showing them)."
    ),
    # Users
    "Account del personale": "Staff accounts",
    "Ruolo": "Role",
    "Stato": "State",
    "Azioni": "Actions",
    "Disattivato": "Disabled",
    "Attivo": "Active",
    "Nuovo ruolo per {name}": "New role for {name}",
    "Cambia ruolo": "Change role",
    "di {name}": "of {name}",
    "Riattiva": "Enable",
    "Disattiva": "Disable",
    "Disattivare questo account?": "Disable this account?",
    "Nuova password": "New password",
    "Nuova password per {name}": "New password for {name}",
    "Imposta": "Set",
    "Nuovo account": "New account",
    "Password iniziale": "Initial password",
    "Lingua": "Language",
    "Crea account": "Create account",
    "Amministratore: tutto, comprese le impostazioni": "Administrator: everything, settings included",
    "Operatore: prepara e invia": "Operator: prepares and sends",
    "Redattore: prepara, non invia né approva": "Editor: prepares, does not send or approve",
    "Lettore: solo consultazione (es. RPD, integrazioni)": (
        "Viewer: read-only (e.g. the DPO, integrations)"
    ),
    "Scegli un ruolo dell'elenco.": "Choose a role from the list.",
    "Esiste già un account con questo nome.": "An account with this name already exists.",
    "Account «{name}» creato.": "Account “{name}” created.",
    "Ruolo di «{name}» aggiornato.": "Role of “{name}” updated.",
    "Account «{name}» disattivato.": "Account “{name}” disabled.",
    "Account «{name}» riattivato.": "Account “{name}” enabled.",
    "Password di «{name}» cambiata.": "Password of “{name}” changed.",
    "Deve restare almeno un amministratore attivo.": "At least one active administrator must remain.",
    "La nuova password deve avere almeno 10 caratteri.": (
        "The new password must have at least 10 characters."
    ),
    # Tokens
    "Un token permette a un programma (per esempio il sito del comune) di usare l'API REST con i "
    "permessi del ruolo scelto. Viene mostrato una sola volta.": (
        "A token lets a program (for example the comune's website) use the REST API with the "
        "permissions of the chosen role. It is shown only once."
    ),
    "Token esistenti": "Existing tokens",
    "Nome": "Name",
    "Inizio": "Starts with",
    "Creato": "Created",
    "Ultimo uso": "Last used",
    "mai": "never",
    "Revocato il {when}": "Revoked on {when}",
    "Revoca": "Revoke",
    "Revocare questo token? I programmi che lo usano smetteranno di funzionare.": (
        "Revoke this token? Programs using it will stop working."
    ),
    "Nessun token.": "No tokens.",
    "Nuovo token": "New token",
    "A cosa serve, per esempio: sito del comune": "What it is for, for example: comune website",
    "Crea token": "Create token",
    "Indica un nome (1-80 caratteri) e un ruolo dell'elenco.": (
        "Give a name (1-80 characters) and a role from the list."
    ),
    "Token creato": "Token created",
    "Copia il token ora: non sarà più possibile vederlo.": (
        "Copy the token now: it cannot be shown again."
    ),
    "Token «{name}»": "Token “{name}”",
    "Torna ai token": "Back to tokens",
    "Token non trovato o già revocato.": "Token not found or already revoked.",
    "Token revocato.": "Token revoked.",
    # Town data
    "Questi dati sono mostrati ai cittadini. Le impostazioni tecniche (numero WhatsApp, "
    "coordinate, parola chiave) restano nel file di configurazione.": (
        "These data are shown to citizens. Technical settings (WhatsApp number, coordinates, "
        "keyword) stay in the configuration file."
    ),
    "Nome mostrato ai cittadini": "Name shown to citizens",
    "Per esempio: Comune di Rota d'Imagna": "For example: Comune di Rota d'Imagna",
    "Indirizzo del municipio": "Town hall address",
    "Telefono": "Phone",
    "E-mail": "E-mail",
    "PEC": "PEC (certified e-mail)",
    "Orari di apertura": "Opening hours",
    "Contatto del responsabile della protezione dei dati (RPD)": (
        "Contact of the data protection officer (DPO)"
    ),
    "Contatto per segnalazioni sull'accessibilità": "Contact for accessibility feedback",
    "Salva": "Save",
    "Al massimo {n} caratteri.": "At most {n} characters.",
    "Dati del comune salvati.": "Town data saved.",
    "Nessuna modifica.": "No changes.",
    # Credentials
    "Le chiavi segrete si impostano nel file dei segreti sul dispositivo; qui si vede solo se "
    "sono presenti.": (
        "Secret keys are set in the secrets file on the device; this page only shows whether "
        "they are present."
    ),
    "Modalità dimostrativa: le credenziali sono finte e i messaggi vanno al simulatore.": (
        "Demo mode: the credentials are fake and messages go to the simulator."
    ),
    "Chiavi segrete": "Secret keys",
    "Chiave": "Key",
    "A cosa serve": "Purpose",
    "Configurata": "Configured",
    "Non configurata": "Not configured",
    "Origine": "Source",
    "Collegamento a WhatsApp": "WhatsApp connection",
    "ID del numero di telefono": "Phone number ID",
    "ID dell'account WhatsApp Business": "WhatsApp Business Account ID",
    "non impostato": "not set",
    "Indirizzo della Graph API": "Graph API address",
    "Rete locale": "Local network",
    "attivo": "on",
    "non attivo (HTTP sulla rete locale)": "off (HTTP on the local network)",
    "Reti ammesse": "Allowed networks",
    "tutte": "all",
    "file di configurazione": "configuration file",
    "file dei segreti": "secrets file",
    "impostato all'avvio": "set at start",
    "variabile d'ambiente {name}": "environment variable {name}",
    # Account
    "Cambia password": "Change password",
    "Password attuale": "Current password",
    "Ripeti la nuova password": "Repeat the new password",
    "La password attuale non è corretta.": "The current password is wrong.",
    "Password cambiata.": "Password changed.",
    # Backups and the webhook self-test (appliance/backups, appliance/ops)
    "Annulla": "Cancel",
    "Annulla il ripristino": "Cancel the restore",
    "Backup": "Backups",
    "Backup creato: {name}": "Backup created: {name}",
    "Backup non riuscito: {error}": "Backup failed: {error}",
    "Backup non trovato.": "Backup not found.",
    "Backup su questo dispositivo": "Backups on this device",
    "Banditore si riavvia per sostituire il database: per circa un minuto non risponde.": "Banditore restarts to replace the database: it does not answer for about a minute.",
    "Banditore si sta riavviando per ripristinare il backup del {when}. Ricaricare questa pagina tra un minuto; se non torna, controllare con: systemctl status banditore": "Banditore is restarting to restore the backup of {when}. Reload this page in a minute; if it does not come back, check with: systemctl status banditore",
    "Confermare il ripristino": "Confirm the restore",
    "Copia esterna non riuscita: {error}": "Off-device copy failed: {error}",
    "Data (UTC)": "Date (UTC)",
    "Dimensione": "Size",
    "Dispositivo": "Device",
    "Fai un backup ora": "Back up now",
    "File di backup (.backup)": "Backup file (.backup)",
    "I backup sono cifrati: contengono i numeri e i profili di tutti gli iscritti. Senza la chiave mostrata all'installazione non si possono aprire.": "Backups are encrypted: they hold every subscriber's number and profile. They cannot be opened without the key shown at installation.",
    "Il backup è integro. Ripristinandolo, iscritti, messaggi e impostazioni tornano com'erano in quel momento; il database attuale viene prima salvato in un backup.": "The backup is intact. Restoring it brings subscribers, messages and settings back to that moment; the current database is saved in a backup first.",
    "Il webhook funziona.": "The webhook works.",
    "Il webhook non è raggiungibile.": "The webhook cannot be reached.",
    "Indirizzo provato:": "Address tried:",
    "La prova chiama l'indirizzo pubblico come fa Meta, con un codice casuale, e controlla che torni indietro: così si sa che il tunnel, il certificato e il verify token sono a posto.": "The test calls the public address as Meta does, with a random code, and checks that it comes back: so the tunnel, the certificate and the verify token are known to be right.",
    "Nessun backup.": "No backups.",
    "Nessun ripristino in attesa.": "No restore is waiting.",
    "Prova del webhook": "Webhook test",
    "Prova il webhook": "Test the webhook",
    "Questo backup non può essere ripristinato: {error}": "This backup cannot be restored: {error}",
    "Ripristina da un file": "Restore from a file",
    "Ripristina e riavvia": "Restore and restart",
    "Ripristina…": "Restore…",
    "Ripristino annullato: il database non è cambiato.": "Restore cancelled: the database has not changed.",
    "Ripristino in corso": "Restoring",
    "Scarica": "Download",
    "Scegliere un backup dell'elenco o caricare un file.": "Choose a backup from the list or upload a file.",
    "Scrivere {word} per confermare": "Type {word} to confirm",
    "Tipo": "Kind",
    "Torna ai backup": "Back to the backups",
    "Un ripristino è pronto e verrà applicato al prossimo riavvio: backup del {when}.": "A restore is ready and will be applied at the next restart: backup of {when}.",
    "Verifica e ripristina…": "Check and restore…",
    "Versione": "Version",
    "schema {n}": "schema {n}",
}
