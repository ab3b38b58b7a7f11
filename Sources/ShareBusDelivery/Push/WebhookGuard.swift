import Dispatch
import Foundation
import ShareBusCore

/// Resolves a host name to the addresses a connection would use.
public protocol WebhookResolver: Sendable {
    func resolve(host: String) async throws -> [WebhookAddress]
}

/// The system resolver (`getaddrinfo`), run off the cooperative pool because it blocks.
public struct SystemResolver: WebhookResolver {
    public init() {}

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    public func resolve(host: String) async throws -> [WebhookAddress] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(host, nil, &hints, &list)
                guard status == 0 else {
                    continuation.resume(throwing: Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
                    return
                }
                defer { freeaddrinfo(list) }
                var addresses: [WebhookAddress] = []
                var next = list
                while let info = next?.pointee {
                    if let sa = info.ai_addr {
                        if info.ai_family == AF_INET {
                            let bytes = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                                withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                            }
                            if let address = WebhookAddress(bytes: bytes) { addresses.append(address) }
                        } else if info.ai_family == AF_INET6 {
                            let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                            }
                            if let address = WebhookAddress(bytes: bytes) { addresses.append(address) }
                        }
                    }
                    next = info.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }
}

/// The webhook policy with name resolution: when a subscription is made, and before every connection.
public struct WebhookGuard: Sendable {
    public let policy: WebhookURLPolicy
    let resolver: any WebhookResolver

    public init(policy: WebhookURLPolicy, resolver: any WebhookResolver = SystemResolver()) {
        self.policy = policy
        self.resolver = resolver
    }

    /// At subscription time: the URL's form, then every address its host resolves to. A name that
    /// does not resolve yet is accepted (the endpoint may be set up after the subscription); the
    /// check before each connection still applies.
    public func checkSubscription(_ url: String) async throws {
        let target = try policy.target(url)
        guard target.address == nil, !target.allowedByName else { return }
        guard let addresses = try? await resolver.resolve(host: target.host) else { return }
        for address in addresses { try policy.check(address, host: target.host) }
    }

    /// Before connecting: the URL's form and every address the host resolves to now; a name that
    /// does not resolve fails the attempt.
    public func checkConnection(_ url: String) async throws -> WebhookURLPolicy.Target {
        let target = try policy.target(url)
        guard target.address == nil, !target.allowedByName else { return target }
        let addresses: [WebhookAddress]
        do {
            addresses = try await resolver.resolve(host: target.host)
        } catch {
            throw ShareBusError(.invalidWebhookURL, "\(error)")
        }
        guard !addresses.isEmpty else { throw ShareBusError(.invalidWebhookURL, "\(target.host) resolves to no address") }
        for address in addresses { try policy.check(address, host: target.host) }
        return target
    }
}
