public import Foundation
public import ShareBusCore

/// The catalog's rules over the store: drafts, edits, publication, retirement and import.
///
/// Each operation validates first and then writes once, so a refused change leaves nothing behind.
public struct CatalogService: Sendable {
    public let store: any ShareBusStore
    public let clock: any BusClock

    public init(store: any ShareBusStore, clock: any BusClock) {
        self.store = store
        self.clock = clock
    }

    /// Validates a resource document against the schema rules and the registered providers.
    public func decode(_ json: JSONValue) async throws -> Resource {
        var problems = ResourceValidator.validate(json)
        if problems.isEmpty, let provider = json["provider"]?.stringValue {
            let department = try await store.department(id: provider)
            if department == nil {
                problems.append(FieldProblem(pointer: "/provider", reason: "no department \(provider) is registered"))
            } else if department?.has(.provider) == false {
                problems.append(FieldProblem(pointer: "/provider", reason: "department \(provider) does not have the provider role"))
            }
        }
        guard problems.isEmpty else { throw ShareBusError.invalidResource(problems) }
        return try ResourceValidator.decode(json)
    }

    /// `POST /v1/resources`: a new resource, as a draft at version 1.
    public func createDraft(_ json: JSONValue, actor: String) async throws -> Resource {
        var resource = try await decode(json)
        resource.version = 1
        resource.status = .draft
        let draft = resource
        return try await store.changeResource(code: draft.code, audit: event(actor, "resource.create", draft)) { versions in
            guard versions.isEmpty else { throw ShareBusError.alreadyExists("resource \(draft.code) already exists") }
            return .insert(draft)
        }
    }

    /// `PUT /v1/resources/{code}`: edits the draft, or opens a new draft version of a published resource.
    public func editDraft(code: String, _ json: JSONValue, actor: String) async throws -> Resource {
        var edited = try await decode(json)
        guard edited.code == code else {
            throw ShareBusError.invalidResource([FieldProblem(pointer: "/code", reason: "must be \(code), the resource being edited")])
        }
        edited.status = .draft
        let proposed = edited
        return try await store.changeResource(code: code, audit: event(actor, "resource.edit", proposed)) { versions in
            guard let latest = versions.last else { throw ShareBusError(.resourceNotFound, "no resource \(code)") }
            var draft = proposed
            switch latest.status {
            case .draft:
                draft.version = latest.version
                return .replaceLatest(draft)
            case .published:
                draft.version = latest.version + 1
                return .insert(draft)
            case .retired:
                throw ShareBusError.invalidState("resource \(code) is retired; register a new code instead")
            }
        }
    }

    /// `POST /v1/resources/{code}/publish`: publishes the draft if it keeps every subscriber working.
    public func publish(code: String, actor: String) async throws -> Resource {
        let audit = AuditEvent(at: clock.now(), actor: actor, action: "resource.publish", target: code)
        return try await store.changeResource(code: code, audit: audit) { versions in
            guard let latest = versions.last else { throw ShareBusError(.resourceNotFound, "no resource \(code)") }
            guard latest.status == .draft else {
                throw ShareBusError.invalidState("resource \(code) version \(latest.version) is \(latest.status.rawValue), not a draft")
            }
            try Self.checkCompatible(latest, with: versions)
            var published = latest
            published.status = .published
            return .replaceLatest(published)
        }
    }

    /// `POST /v1/resources/{code}/retire`: withdraws the published resource; no new version can follow.
    public func retire(code: String, actor: String) async throws -> Resource {
        let audit = AuditEvent(at: clock.now(), actor: actor, action: "resource.retire", target: code)
        return try await store.changeResource(code: code, audit: audit) { versions in
            guard let latest = versions.last else { throw ShareBusError(.resourceNotFound, "no resource \(code)") }
            guard latest.status == .published else {
                throw ShareBusError.invalidState(
                    "only a published resource can be retired; \(code) version \(latest.version) is \(latest.status.rawValue)")
            }
            var retired = latest
            retired.status = .retired
            return .replaceLatest(retired)
        }
    }

    private func event(_ actor: String, _ action: String, _ resource: Resource) -> AuditEvent {
        AuditEvent(
            at: clock.now(), actor: actor, action: action, target: resource.code,
            details: ["version": .integer(Int64(resource.version)), "provider": .string(resource.provider)])
    }

    /// A new published version may only add optional fields to the newest published one.
    static func checkCompatible(_ candidate: Resource, with versions: [Resource]) throws {
        guard let previous = versions.last(where: { $0.status == .published && $0.version < candidate.version }) else { return }
        let problems = candidate.compatibilityProblems(from: previous)
        guard problems.isEmpty else {
            throw ShareBusError(
                .incompatibleChange,
                "version \(candidate.version) of \(candidate.code) would break subscribers of version \(previous.version): "
                    + problems.joined(separator: "; "))
        }
    }
}
