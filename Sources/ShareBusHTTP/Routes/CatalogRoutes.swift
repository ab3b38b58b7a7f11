import Foundation
import Hummingbird
import ShareBusCore
import ShareBusStore

extension BusRouter {
    func addCatalogRoutes(_ env: BusEnvironment) {
        on(.get, "/v1/resources") { request, _ in
            let query = request.uri.queryParameters
            var filter = ResourceFilter(
                provider: query.get("provider"), text: query.get("text"),
                limit: try RequestReading.limit(request, fallback: 100, maximum: env.configuration.maxPageSize),
                after: query.get("after"))
            if let category = query.get("category") {
                guard let value = Resource.Category(rawValue: category) else {
                    throw ShareBusError.invalidParameter("category must be one of \(Resource.Category.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.category = value
            }
            if let status = query.get("status") {
                guard let value = Resource.Status(rawValue: status) else {
                    throw ShareBusError.invalidParameter("status must be one of draft, published, retired")
                }
                filter.status = value
            }
            let resources = try await env.store.resources(filter)
            return try JSONResponse.make(
                ResourceList(resources: resources, next: resources.count == filter.limit ? resources.last?.code : nil))
        }
        on(.get, "/v1/resources/{code}") { request, context in
            let code = try RequestReading.parameter("code", context)
            let versions = try await env.store.resourceVersions(code: code)
            guard !versions.isEmpty else { throw ShareBusError(.resourceNotFound, "no resource \(code)") }
            if let text = request.uri.queryParameters.get("version") {
                guard let number = Int(text), let version = versions.first(where: { $0.version == number }) else {
                    throw ShareBusError(.resourceNotFound, "resource \(code) has no version \(text)")
                }
                return try JSONResponse.make(version)
            }
            return try JSONResponse.make(ResourceDetail(versions: versions))
        }
        on(.post, "/v1/resources") { request, context in
            let steward = try context.requireDepartment(role: .steward)
            let json = try await RequestReading.json(request, context: context, limit: env.configuration.maxBodySize)
            let resource = try await env.catalog.createDraft(json, actor: "dept:\(steward.id)")
            var headers = HTTPFields()
            headers[.location] = "/v1/resources/\(resource.code)"
            return try JSONResponse.make(resource, status: .created, headers: headers)
        }
        on(.put, "/v1/resources/{code}") { request, context in
            let steward = try context.requireDepartment(role: .steward)
            let code = try RequestReading.parameter("code", context)
            let json = try await RequestReading.json(request, context: context, limit: env.configuration.maxBodySize)
            return try JSONResponse.make(try await env.catalog.editDraft(code: code, json, actor: "dept:\(steward.id)"))
        }
        on(.post, "/v1/resources/{code}/publish") { _, context in
            let steward = try context.requireDepartment(role: .steward)
            let code = try RequestReading.parameter("code", context)
            return try JSONResponse.make(try await env.catalog.publish(code: code, actor: "dept:\(steward.id)"))
        }
        on(.post, "/v1/resources/{code}/retire") { _, context in
            let steward = try context.requireDepartment(role: .steward)
            let code = try RequestReading.parameter("code", context)
            return try JSONResponse.make(try await env.catalog.retire(code: code, actor: "dept:\(steward.id)"))
        }
    }
}

struct ResourceList: Encodable {
    var resources: [Resource]
    var next: String?
}

/// A resource as it stands now (its newest published version, or its draft if it was never
/// published), with every stored version beside it.
struct ResourceDetail: Encodable {
    var current: Resource
    var versions: [Resource]

    init(versions: [Resource]) {
        self.versions = versions
        current = versions.last(where: { $0.status != .draft }) ?? versions[versions.count - 1]
    }

    func encode(to encoder: any Encoder) throws {
        try current.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(versions, forKey: .versions)
    }

    enum CodingKeys: String, CodingKey { case versions }
}
