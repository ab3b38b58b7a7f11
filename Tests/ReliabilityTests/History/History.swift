import ShareBusCore

/// What a fault run did and saw, in the terms of Jepsen's total-queue check: every 201 receipt the
/// bus signed, what each subscriber finally received, and what the log and current state hold.
struct History: Sendable {
    /// An envelope the bus answered 201 (or 200 to a resend of one it had kept): its verified receipt.
    struct Receipt: Sendable, Hashable {
        let envelopeId: String
        let resource: String
        let first: Int64
        let last: Int64
        /// The records its upserts carried, in order: record `i` is sequence `first + i`.
        let records: [JSONValue]
    }

    /// One message as a subscriber received it (pulled or pushed); a message may arrive more than once.
    struct Message: Sendable, Hashable {
        let sequence: Int64
        let envelopeId: String
        let record: JSONValue?
    }

    /// One row of the resource's log as stored.
    struct LogRow: Sendable, Hashable {
        let sequence: Int64
        let envelopeId: String
        let key: String
        let record: JSONValue?
    }

    /// Envelopes sent, whatever the answer (the figure "attempted").
    var attempted = 0
    var receipts: [Receipt] = []
    /// Per subscriber (a name the test chooses), every message it received, in order of arrival.
    var received: [String: [Message]] = [:]
    /// The log read back to its end after the run.
    var log: [LogRow] = []
    /// The resource's current records by key, as the store answers them.
    var current: [String: JSONValue] = [:]
    /// The primary key field of the resource.
    var keyField = "code"
}
