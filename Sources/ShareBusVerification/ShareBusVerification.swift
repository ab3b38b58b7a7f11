/// Once-only verification (protocol section 7): field verification against stored records,
/// materials on file, certificate checks and the holder's access log, each answered with
/// evidence signed by the bus and never with a stored value.
public enum ShareBusVerification {}
