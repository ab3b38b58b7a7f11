public import ShareBusCrypto
public import X509

extension CertificateRecord {
    /// The record of a certificate the platform CA just issued: serial, fingerprint and validity
    /// read from the certificate itself. `principal` defaults to the certificate's SAN URI.
    public init(_ certificate: Certificate, kind: Kind, principal: String? = nil) {
        self.init(
            serial: certificate.serialHex, fingerprint: certificate.sha256Fingerprint,
            principal: principal ?? certificate.principal?.uri ?? CertificateProfile.busURI, kind: kind,
            notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter, pem: certificate.pemString)
    }
}
