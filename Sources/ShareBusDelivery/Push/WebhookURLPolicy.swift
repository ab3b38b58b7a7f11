import Foundation
import ShareBusCore

/// Which webhook URLs the bus will POST to: a guard against being turned on its own network
/// (server-side request forgery). Pure: it resolves no names; `WebhookGuard` feeds it the
/// addresses a name resolves to.
///
/// A URL must be `https://` with a host and no user info. Its addresses must not be loopback,
/// link-local (cloud metadata services live there), private, shared (carrier-grade NAT, where some
/// clouds put their metadata service), unspecified, multicast or reserved, unless the operator's
/// allow-list permits the host name or the address.
public struct WebhookURLPolicy: Sendable {
    /// Where a URL points once its form is checked.
    public struct Target: Sendable, Hashable {
        /// Lowercased, without brackets or a trailing dot.
        public var host: String
        public var port: Int
        /// The address when the host is an IP literal.
        public var address: WebhookAddress?
        /// An allow-list entry names this host: its addresses are not judged.
        public var allowedByName: Bool
    }

    let names: Set<String>
    let suffixes: [String]
    let blocks: [CIDRBlock]

    /// Host names known to answer as a cloud metadata service whatever address they resolve to.
    static let metadataNames: Set<String> = [
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    ]

    /// Special-purpose blocks a webhook may not reach, with the reason given when it tries.
    static let refusedBlocks: [(CIDRBlock, String)] = [
        ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "shared (carrier-grade NAT)"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"), ("192.0.0.0/24", "reserved"),
        ("192.168.0.0/16", "private"), ("198.18.0.0/15", "reserved"), ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("fe80::/10", "link-local"), ("fec0::/10", "private"),
        ("fc00::/7", "private"), ("ff00::/8", "multicast"),
    ].map { (CIDRBlock($0.0)!, $0.1) }

    /// `allowList` entries: host names, `.suffix` names, addresses and CIDR blocks. Entries that
    /// are none of these are ignored (`serve` refuses them before building a policy).
    public init(allowList: [String] = []) {
        var names: Set<String> = []
        var suffixes: [String] = []
        var blocks: [CIDRBlock] = []
        for entry in allowList.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !entry.isEmpty {
            if let block = CIDRBlock(entry) {
                blocks.append(block)
            } else if entry.hasPrefix(".") {
                suffixes.append(entry)
            } else {
                names.insert(Self.normalised(entry))
            }
        }
        self.names = names
        self.suffixes = suffixes
        self.blocks = blocks
    }

    /// Whether `entry` is a usable allow-list entry.
    public static func isValidAllowListEntry(_ entry: String) -> Bool {
        CIDRBlock(entry) != nil || isHostName(entry.hasPrefix(".") ? String(entry.dropFirst()) : entry)
    }

    /// Checks the URL's form and, for an IP literal, its address.
    public func target(_ url: String) throws -> Target {
        guard let components = URLComponents(string: url), let scheme = components.scheme else { throw Self.refusal("\(url) is not a URL") }
        guard scheme.lowercased() == "https" else { throw Self.refusal("the webhook URL must be https://, not \(scheme)://") }
        guard components.user == nil, components.password == nil else {
            throw Self.refusal("the webhook URL must not carry a user name or password")
        }
        var host = Self.normalised(components.host ?? "")
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw Self.refusal("the webhook URL has no host") }
        let port = components.port ?? 443
        guard (1...65535).contains(port) else { throw Self.refusal("port \(port) is out of range") }
        if let address = WebhookAddress(host) {
            try check(address, host: host)
            return Target(host: host, port: port, address: address, allowedByName: false)
        }
        guard Self.isHostName(host) else { throw Self.refusal("\(host) is neither a host name nor an IP address in standard form") }
        if permits(host: host) { return Target(host: host, port: port, address: nil, allowedByName: true) }
        if host == "localhost" || host.hasSuffix(".localhost") { throw Self.refusal("\(host) is loopback") }
        if Self.metadataNames.contains(host) { throw Self.refusal("\(host) is a cloud metadata service") }
        return Target(host: host, port: port, address: nil, allowedByName: false)
    }

    /// Refuses `address` (one that `host` resolved to, or the literal) unless it is public or allow-listed.
    public func check(_ address: WebhookAddress, host: String) throws {
        if let reason = refusal(of: address) {
            let via = host == address.description ? "" : " (\(host) resolves to it)"
            throw Self.refusal("\(address) is \(reason)\(via); an operator can allow it with the webhook allow-list")
        }
    }

    /// Why `address` may not be used, or nil when it may.
    public func refusal(of address: WebhookAddress) -> String? {
        if blocks.contains(where: { $0.contains(address) }) { return nil }
        if let v4 = address.embeddedIPv4 { return refusal(of: v4) }
        return Self.refusedBlocks.first(where: { $0.0.contains(address) })?.1
    }

    public func permits(host: String) -> Bool {
        let host = Self.normalised(host)
        return names.contains(host) || suffixes.contains(where: { host.hasSuffix($0) })
    }

    static func refusal(_ detail: String) -> ShareBusError { ShareBusError(.invalidWebhookURL, detail) }

    static func normalised(_ host: String) -> String {
        let lower = host.lowercased()
        return lower.hasSuffix(".") ? String(lower.dropLast()) : lower
    }

    /// LDH labels whose last one is not all digits, so that no resolver reads the name as a
    /// number (`2130706433`, `127.1`, `0x7f.1` all reach 127.0.0.1 through some parsers).
    static func isHostName(_ host: String) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !host.isEmpty, host.utf8.count <= 253, let last = labels.last else { return false }
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            else { return false }
        }
        let lastLower = last.lowercased()
        return !last.allSatisfy(\.isNumber) && !(lastLower.hasPrefix("0x") && lastLower.dropFirst(2).allSatisfy(\.isHexDigit))
    }
}
