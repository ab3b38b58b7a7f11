// ShareBusVerification owns once-only verification (protocol section 7): field verification against
// stored records, the materials on file for a holder, certificate checks and the holder's access log,
// each answered with evidence signed by the bus and never with a stored value the caller was not granted.
//
// It owns the normalisation claims are compared in, the blind (keyed, constant-time) comparison, the
// throttling of enumeration, the evidence JWS and the keyed digest that names a data subject in the
// audit log. It must not speak HTTP or SQL: the store comes in as protocol values, time from a clock.

/// The namespace of the target's constants.
public enum ShareBusVerification {
    /// `Certs/` relative path of the secret that keys data-subject digests (32 random bytes, 0600).
    public static let subjectKeyFile = "bus/subject-key"
}
