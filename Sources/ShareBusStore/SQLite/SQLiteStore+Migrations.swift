import GRDB

extension SQLiteStore {
    /// Versioned migrations. Never edit a registered migration: add the next one.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE department (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        credit_code TEXT NOT NULL UNIQUE,
                        level TEXT NOT NULL,
                        division TEXT NOT NULL,
                        roles TEXT NOT NULL,
                        status TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE TABLE certificate (
                        serial TEXT PRIMARY KEY NOT NULL,
                        fingerprint TEXT NOT NULL UNIQUE,
                        principal TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        not_before REAL NOT NULL,
                        not_after REAL NOT NULL,
                        pem TEXT NOT NULL,
                        revoked_at REAL,
                        revocation_reason TEXT
                    );
                    CREATE INDEX certificate_principal ON certificate(principal);
                    CREATE TABLE resource_version (
                        code TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        category TEXT NOT NULL,
                        provider TEXT NOT NULL,
                        body TEXT NOT NULL,
                        PRIMARY KEY (code, version)
                    );
                    CREATE TABLE audit (
                        idx INTEGER PRIMARY KEY NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        target TEXT NOT NULL,
                        details TEXT NOT NULL,
                        prev_hash TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE INDEX audit_actor ON audit(actor, idx);
                    CREATE INDEX audit_action ON audit(action, idx);
                    CREATE TABLE counter (
                        name TEXT PRIMARY KEY NOT NULL,
                        value INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2-exchange") { db in
            try db.execute(
                sql: """
                    CREATE TABLE envelope (
                        sender TEXT NOT NULL,
                        id TEXT NOT NULL,
                        resource TEXT NOT NULL,
                        payload_sha256 TEXT NOT NULL,
                        first_sequence INTEGER NOT NULL,
                        last_sequence INTEGER NOT NULL,
                        audit_index INTEGER NOT NULL,
                        accepted_at TEXT NOT NULL,
                        receipt TEXT NOT NULL,
                        PRIMARY KEY (sender, id)
                    ) WITHOUT ROWID;
                    CREATE TABLE log_head (
                        resource TEXT PRIMARY KEY NOT NULL,
                        head INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE log (
                        resource TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        op TEXT NOT NULL,
                        key TEXT NOT NULL,
                        record TEXT,
                        envelope_id TEXT NOT NULL,
                        sender TEXT NOT NULL,
                        accepted_at TEXT NOT NULL,
                        PRIMARY KEY (resource, sequence)
                    ) WITHOUT ROWID;
                    CREATE TABLE record_state (
                        resource TEXT NOT NULL,
                        key TEXT NOT NULL,
                        record TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        PRIMARY KEY (resource, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE subscription (
                        id TEXT PRIMARY KEY NOT NULL,
                        consumer TEXT NOT NULL,
                        resource TEXT NOT NULL,
                        status TEXT NOT NULL,
                        cursor INTEGER NOT NULL,
                        delivered INTEGER NOT NULL,
                        start_at_head INTEGER NOT NULL DEFAULT 0,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX subscription_consumer ON subscription(consumer);
                    CREATE INDEX subscription_resource ON subscription(resource, status);
                    CREATE TABLE checkpoint (
                        idx INTEGER PRIMARY KEY NOT NULL,
                        hash TEXT NOT NULL,
                        at TEXT NOT NULL,
                        jws TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3-audit-subject") { db in
            try db.execute(
                sql: """
                    ALTER TABLE audit ADD COLUMN subject TEXT;
                    CREATE INDEX audit_subject ON audit(subject, idx) WHERE subject IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v4-push-delivery") { db in
            // Times are seconds since 1970 (REAL), like the certificate table's.
            try db.execute(
                sql: """
                    CREATE TABLE delivery_state (
                        subscription TEXT PRIMARY KEY NOT NULL,
                        paused INTEGER NOT NULL DEFAULT 0,
                        batch_first INTEGER,
                        batch_last INTEGER,
                        batch_replay TEXT,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        first_attempt_at REAL,
                        next_attempt_at REAL,
                        last_attempt_at REAL,
                        last_error TEXT,
                        consecutive_failures INTEGER NOT NULL DEFAULT 0,
                        last_delivery_at REAL
                    ) WITHOUT ROWID;
                    CREATE TABLE dead_letter (
                        id TEXT PRIMARY KEY NOT NULL,
                        subscription TEXT NOT NULL,
                        first_sequence INTEGER NOT NULL,
                        last_sequence INTEGER NOT NULL,
                        size_bytes INTEGER NOT NULL,
                        attempts INTEGER NOT NULL,
                        last_error TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        replay_requested_at REAL
                    );
                    CREATE INDEX dead_letter_subscription ON dead_letter(subscription, first_sequence);
                    CREATE TABLE delivery_tally (
                        subscription TEXT NOT NULL,
                        minute INTEGER NOT NULL,
                        messages INTEGER NOT NULL,
                        PRIMARY KEY (subscription, minute)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v5-verification") { db in
            // Materials and certificate checks find a holder's current records by `holderId`, compared
            // upper-cased (a lower-case `x` check character finds the same holder).
            try db.execute(
                sql: """
                    CREATE INDEX record_state_holder ON record_state(resource, upper(json_extract(record, '$.holderId')));
                    """)
        }
        return migrator
    }()
}
