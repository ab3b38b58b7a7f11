import Logging
import PostgresNIO
import ShareBusStore

/// One schema change: a version name and its statements, applied together.
struct PostgresMigration: Sendable {
    var version: String
    var statements: [String]
}

extension PostgresStore {
    /// Any constant both nodes agree on: the key of the advisory lock that serialises migrations.
    static let migrationLock: Int64 = 0x5348_4152_4542_5553  // "SHAREBUS"

    /// Applies what is missing of `migrations`, in one transaction, under a transaction-scoped
    /// advisory lock: nodes that start together wait for the first, then find nothing to do.
    func migrate() async throws {
        try await guarded { [self] in try await applyMigrations() }
    }

    private func applyMigrations() async throws {
        try await rawTransaction { [logger] connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger)
            var applied: Set<String> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
                logger.info("applied migration", metadata: ["store.migration": "\(migration.version)"])
            }
        }
    }

    func appliedMigrations() async throws -> Set<String> {
        var versions: Set<String> = []
        for row in try await rows("SELECT version FROM schema_migrations") { versions.insert(try row.decode(String.self)) }
        return versions
    }

    /// Versioned migrations. Never edit a released one: add the next. Text columns that are sorted
    /// or paged on use the "C" collation, so that order is the same bytewise order as SQLite's
    /// whatever the database's locale.
    static let migrations: [PostgresMigration] = [
        PostgresMigration(version: "v1-foundation", statements: [
            """
            CREATE TABLE department (id text COLLATE "C" PRIMARY KEY, name text NOT NULL, credit_code text NOT NULL UNIQUE,
                level text NOT NULL, division text NOT NULL, roles text NOT NULL, status text NOT NULL, created_at text NOT NULL)
            """,
            """
            CREATE TABLE certificate (serial text PRIMARY KEY, fingerprint text NOT NULL UNIQUE, principal text NOT NULL,
                kind text NOT NULL, not_before double precision NOT NULL, not_after double precision NOT NULL, pem text NOT NULL,
                revoked_at double precision, revocation_reason text)
            """,
            "CREATE INDEX certificate_principal ON certificate (principal)",
            """
            CREATE TABLE resource_version (code text COLLATE "C" NOT NULL, version bigint NOT NULL, status text NOT NULL,
                category text NOT NULL, provider text NOT NULL, body text NOT NULL, PRIMARY KEY (code, version))
            """,
            """
            CREATE TABLE audit (idx bigint PRIMARY KEY, at text NOT NULL, actor text NOT NULL, action text NOT NULL,
                target text NOT NULL, details text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL, subject text)
            """,
            "CREATE INDEX audit_actor ON audit (actor, idx)",
            "CREATE INDEX audit_action ON audit (action, idx)",
            "CREATE INDEX audit_subject ON audit (subject, idx) WHERE subject IS NOT NULL",
            // The chain's head: one row, locked by every append, so the chain stays one line across nodes.
            "CREATE TABLE audit_head (id integer PRIMARY KEY CHECK (id = 1), idx bigint NOT NULL, hash text NOT NULL)",
            "INSERT INTO audit_head (id, idx, hash) VALUES (1, 0, '\(AuditEntry.genesisHash)')",
            "CREATE TABLE counter (name text PRIMARY KEY, value bigint NOT NULL)",
            "CREATE TABLE checkpoint (idx bigint PRIMARY KEY, hash text NOT NULL, at text NOT NULL, jws text NOT NULL)",
        ]),
        PostgresMigration(version: "v2-exchange", statements: [
            """
            CREATE TABLE envelope (sender text NOT NULL, id text NOT NULL, resource text NOT NULL, payload_sha256 text NOT NULL,
                first_sequence bigint NOT NULL, last_sequence bigint NOT NULL, audit_index bigint NOT NULL, accepted_at text NOT NULL,
                receipt text NOT NULL, PRIMARY KEY (sender, id))
            """,
            "CREATE TABLE log_head (resource text PRIMARY KEY, head bigint NOT NULL)",
            """
            CREATE TABLE log (resource text NOT NULL, sequence bigint NOT NULL, op text NOT NULL, key text NOT NULL, record text,
                envelope_id text NOT NULL, sender text NOT NULL, accepted_at text NOT NULL, PRIMARY KEY (resource, sequence))
            """,
            """
            CREATE TABLE record_state (resource text NOT NULL, key text COLLATE "C" NOT NULL, record text NOT NULL,
                sequence bigint NOT NULL, PRIMARY KEY (resource, key))
            """,
            """
            CREATE TABLE subscription (id text COLLATE "C" PRIMARY KEY, consumer text NOT NULL, resource text NOT NULL,
                status text NOT NULL, cursor bigint NOT NULL, delivered bigint NOT NULL, start_at_head boolean NOT NULL DEFAULT false,
                body text NOT NULL)
            """,
            "CREATE INDEX subscription_consumer ON subscription (consumer)",
            "CREATE INDEX subscription_resource ON subscription (resource, status)",
        ]),
        PostgresMigration(version: "v3-push-delivery", statements: [
            // Times are seconds since 1970, like the certificate table's.
            """
            CREATE TABLE delivery_state (subscription text PRIMARY KEY, paused boolean NOT NULL DEFAULT false, batch_first bigint,
                batch_last bigint, batch_replay text, attempts bigint NOT NULL DEFAULT 0, first_attempt_at double precision,
                next_attempt_at double precision, last_attempt_at double precision, last_error text,
                consecutive_failures bigint NOT NULL DEFAULT 0, last_delivery_at double precision)
            """,
            """
            CREATE TABLE dead_letter (id text PRIMARY KEY, subscription text NOT NULL, first_sequence bigint NOT NULL,
                last_sequence bigint NOT NULL, size_bytes bigint NOT NULL, attempts bigint NOT NULL, last_error text NOT NULL,
                created_at double precision NOT NULL, replay_requested_at double precision)
            """,
            "CREATE INDEX dead_letter_subscription ON dead_letter (subscription, first_sequence)",
            """
            CREATE TABLE delivery_tally (subscription text NOT NULL, minute bigint NOT NULL, messages bigint NOT NULL,
                PRIMARY KEY (subscription, minute))
            """,
        ]),
        PostgresMigration(version: "v4-verification", statements: [
            // Materials and certificate checks find a holder's current records by `holderId`, upper-cased.
            "CREATE INDEX record_state_holder ON record_state (resource, upper((record::jsonb) ->> 'holderId'))",
        ]),
        PostgresMigration(version: "v5-push-lease", statements: [
            // Which node delivers a push subscription, until when (seconds since 1970, the node's clock).
            "CREATE TABLE push_lease (subscription text PRIMARY KEY, node text NOT NULL, expires_at double precision NOT NULL)",
            "CREATE INDEX push_lease_node ON push_lease (node)",
        ]),
    ]
}
