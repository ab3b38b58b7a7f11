// ShareBusCrypto owns the bus's cryptography and nothing else: base64url, RFC 8785 canonical JSON,
// strict JSON parsing for signed bodies, JWS (RFC 7515 flattened form) signing and verification,
// the platform PKI (CA, certificate issue, CRL) and client certificate chain verification.
//
// It must not touch storage, HTTP or clocks: time is always passed in, and revocation state comes
// from the caller as a closure, so the store stays the one owner of which serials are revoked.
