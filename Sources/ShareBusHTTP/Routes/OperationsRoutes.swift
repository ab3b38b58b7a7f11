import Foundation
import Hummingbird
import ShareBusCore
import ShareBusDelivery

/// The operator API of protocol section 9: queues, pause and resume, dead letters. Operator
/// certificates only; a department gets 403 `forbidden`. Nothing here returns a record value.
extension BusRouter {
    func addOperationsRoutes(_ env: BusEnvironment) {
        on(.get, "/v1/ops/queues") { _, context in
            _ = try context.requireOperator()
            return try JSONResponse.make(QueueList(queues: try await env.operations.queues()))
        }
        on(.post, "/v1/ops/subscriptions/{id}/pause") { _, context in
            let operatorID = try context.requireOperator()
            let id = try RequestReading.parameter("id", context)
            return try JSONResponse.make(try await env.operations.pause(id, operator: operatorID))
        }
        on(.post, "/v1/ops/subscriptions/{id}/resume") { _, context in
            let operatorID = try context.requireOperator()
            let id = try RequestReading.parameter("id", context)
            return try JSONResponse.make(try await env.operations.resume(id, operator: operatorID))
        }
        on(.get, "/v1/ops/subscriptions/{id}/dead-letters") { _, context in
            _ = try context.requireOperator()
            let id = try RequestReading.parameter("id", context)
            return try JSONResponse.make(DeadLetterList(deadLetters: try await env.operations.deadLetters(id)))
        }
        on(.post, "/v1/ops/subscriptions/{id}/dead-letters/{dlId}/replay") { _, context in
            let operatorID = try context.requireOperator()
            let id = try RequestReading.parameter("id", context)
            let letter = try RequestReading.parameter("dlId", context)
            let view = try await env.operations.replay(id, deadLetter: letter, operator: operatorID)
            return try JSONResponse.make(view, status: .accepted)
        }
        on(.delete, "/v1/ops/subscriptions/{id}/dead-letters/{dlId}") { _, context in
            let operatorID = try context.requireOperator()
            let id = try RequestReading.parameter("id", context)
            let letter = try RequestReading.parameter("dlId", context)
            _ = try await env.operations.discard(id, deadLetter: letter, operator: operatorID)
            return Response(status: .noContent)
        }
    }
}

struct QueueList: Encodable {
    var queues: [QueueRow]
}

struct DeadLetterList: Encodable {
    var deadLetters: [DeadLetterView]
}
