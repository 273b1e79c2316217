-- Schema 2. The practitioner's own keys and the recipients reports can be encrypted to.
-- Private keys live only here, inside the encrypted database: the signing key as PKCS#8 DER,
-- the X25519 key as its 32 raw bytes, beside the certificate in use (DER; self-signed until
-- the organisation issues one for the same key).

CREATE TABLE identity (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    signing_key    BLOB NOT NULL,
    certificate    BLOB NOT NULL,
    encryption_key BLOB NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- A recipient is an identity card accepted after its fingerprint was checked. The card is kept
-- as received, signature and all, so it can be checked again whenever it is used.
CREATE TABLE recipients (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    card     BLOB NOT NULL,
    added_at TEXT NOT NULL
);
