import ShareBusCrypto
import ShareBusTesting
import X509

extension WebhookEndpoint {
    /// The bodies of the deliveries received whole so far, in the order they arrived.
    var received: [[UInt8]] { requests.filter(\.complete).map(\.body) }

    /// Every message received so far, signatures verified with the bus certificate.
    func messages(busCertificate: X509.Certificate) throws -> [History.Message] {
        try received.flatMap { body in
            try Observation.messages(try BusReply.verify(body, certificate: busCertificate, type: BusSigner.deliveryType).payload)
        }
    }

    /// Waits until the receiver holds every sequence 1...head, or `timeout` passes; answers what it holds.
    func waitForAll(upTo head: Int64, busCertificate: X509.Certificate, timeout: Duration) async throws -> [History.Message] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let messages = try self.messages(busCertificate: busCertificate)
            if Set(messages.map(\.sequence)).isSuperset(of: head < 1 ? [] : Set(1...head)) || ContinuousClock.now >= deadline { return messages }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
