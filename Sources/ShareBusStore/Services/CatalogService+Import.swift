public import ShareBusCore

extension CatalogService {
    public enum ImportOutcome: String, Sendable {
        case created, updated, unchanged
    }

    /// Imports one resource document as the catalog file states it (status and version included).
    ///
    /// Idempotent: importing the same file again changes nothing. A file with a higher version adds
    /// that version when it is compatible; a file that differs at the same or a lower version is refused.
    public func importResource(_ json: JSONValue, actor: String) async throws -> ImportOutcome {
        let resource = try await decode(json)
        let audit = AuditEvent(
            at: clock.now(), actor: actor, action: "resource.import", target: resource.code,
            details: ["version": .integer(Int64(resource.version)), "status": .string(resource.status.rawValue)])
        final class Box: @unchecked Sendable {
            // @unchecked: written once inside the store's serialized write closure, read after it returns.
            var outcome = ImportOutcome.unchanged
        }
        let box = Box()
        _ = try await store.changeResource(code: resource.code, audit: audit) { versions in
            guard let latest = versions.last else {
                box.outcome = .created
                return .insert(resource)
            }
            if let same = versions.first(where: { $0.version == resource.version }) {
                guard same == resource else {
                    throw ShareBusError.invalidState(
                        "\(resource.code) version \(resource.version) is stored with other content; raise the version in the file")
                }
                box.outcome = .unchanged
                return .unchanged(same)
            }
            guard resource.version > latest.version else {
                throw ShareBusError.invalidState(
                    "\(resource.code): the file's version \(resource.version) is older than the stored version \(latest.version)")
            }
            if resource.status == .published { try Self.checkCompatible(resource, with: versions) }
            box.outcome = .updated
            return .insert(resource)
        }
        return box.outcome
    }
}
