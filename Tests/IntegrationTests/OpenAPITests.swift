import Foundation
import Logging
import ShareBusCore
import ShareBusCrypto
import ShareBusHTTP
import ShareBusStore
import ShareBusTesting
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("every registered route is in the OpenAPI document, and the served document is the committed one")
    func complete() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pki = try TestPKI()
        let env = BusEnvironment(
            configuration: ServerConfiguration(), store: try SQLiteStore(directory: directory), clock: SystemClock(),
            pki: PublishedPKI(ca: pki.ca, busSigningCertificatePEM: pki.busSigning.certificatePEM),
            signer: try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM),
            logger: Logger(label: "test"))
        let (_, registry) = BusApplication.makeRouter(env)
        let committed = try Data(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.json"))
        #expect(String(decoding: committed, as: UTF8.self) == OpenAPIDocument.json + "\n" || String(decoding: committed, as: UTF8.self) == OpenAPIDocument.json,
                "run `make openapi` after editing docs/openapi.json")
        let document = try StrictJSON.parse(Array(committed))
        #expect(document["openapi"]?.stringValue?.hasPrefix("3.1") == true)
        let paths = try #require(document["paths"]?.objectValue)
        #expect(registry.routes.count > 10)
        for route in registry.routes {
            let operation = paths[route.path]?[route.method.rawValue.lowercased()]
            #expect(operation != nil, "\(route.method.rawValue) \(route.path) is missing from docs/openapi.json")
        }
    }
}
