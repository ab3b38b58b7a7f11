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
        return migrator
    }()
}
