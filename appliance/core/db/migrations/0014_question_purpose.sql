-- Data minimisation (GDPR art. 5(1)(c)): every profile question says what it is for, and the
-- citizen reads it when asked. The shipped questions get their purpose; staff fill their own.
ALTER TABLE profile_questions ADD COLUMN purpose_it TEXT NOT NULL DEFAULT '';
ALTER TABLE profile_questions ADD COLUMN purpose_en TEXT NOT NULL DEFAULT '';
UPDATE profile_questions SET
    purpose_it = 'mandarti gli avvisi pensati per la tua età (per esempio per gli anziani)',
    purpose_en = 'sending you the notices meant for your age (for example for the elderly)'
    WHERE key = 'eta' AND purpose_it = '';
UPDATE profile_questions SET
    purpose_it = 'avvisarti di lavori, chiusure e allerte nella tua zona',
    purpose_en = 'telling you about works, closures and alerts in your area'
    WHERE key = 'frazione' AND purpose_it = '';
UPDATE profile_questions SET
    purpose_it = 'mandarti solo i messaggi sugli argomenti che scegli',
    purpose_en = 'sending you only messages on the topics you choose'
    WHERE key = 'interessi' AND purpose_it = '';
