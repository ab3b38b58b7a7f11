import Crypto
import Foundation
import ShareBusCrypto
import ShareBusTesting
import X509

extension Workspace {
    /// Signs envelopes with the provider's TLS key and certificate, as `dept add` wrote them.
    func envelopeBuilder() throws -> EnvelopeBuilder {
        let directory = departmentDirectory(Self.provider)
        let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: directory + "/key.pem", encoding: .utf8))
        let certificate = try Certificate(pemEncoded: String(contentsOfFile: directory + "/cert.pem", encoding: .utf8))
        return EnvelopeBuilder(signer: .p256(key), certificateDER: certificate.derBytes)
    }
}
