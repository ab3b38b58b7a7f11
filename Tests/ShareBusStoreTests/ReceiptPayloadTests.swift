import Foundation
import ShareBusCore
import ShareBusStore
import Testing

@Suite("Receipt payload")
struct ReceiptPayloadTests {
    @Test("the JSON built for signing is what the Codable form writes, member for member")
    func jsonMatchesCodable() throws {
        let payload = ReceiptPayload(
            envelopeId: "0f8c2d7e-env", sender: "gov.640100.gaj", resource: "population.basic", payloadSha256: String(repeating: "ab", count: 32),
            firstSequence: 41, lastSequence: 140, auditIndex: Int64.max, acceptedAt: "2026-11-26T08:00:00.123Z")
        let viaCodable = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(payload))
        #expect(payload.json == viaCodable)
        #expect(try JSONDecoder().decode(ReceiptPayload.self, from: JSONEncoder().encode(payload.json)) == payload)
    }
}
