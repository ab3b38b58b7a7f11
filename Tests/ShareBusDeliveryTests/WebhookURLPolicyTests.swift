import Foundation
import ShareBusCore
import Testing

@testable import ShareBusDelivery

@Suite("Webhook URL policy")
struct WebhookURLPolicyTests {
    static let policy = WebhookURLPolicy()

    @Test(
        "public https URLs are accepted",
        arguments: [
            "https://hooks.example.gov.cn/sharebus", "https://hooks.example.gov.cn:8443/a?b=c", "https://8.8.8.8/hook",
            "https://[2001:db8::1]/hook", "HTTPS://Hooks.Example.GOV.CN./x", "https://100.63.255.255/x", "https://172.32.0.1/x",
        ])
    func accepted(url: String) throws {
        _ = try Self.policy.target(url)
    }

    @Test(
        "SSRF attempts and malformed URLs are refused with invalid-webhook-url",
        arguments: [
            ("http://hooks.example.gov.cn/x", "https://"), ("ftp://hooks.example.gov.cn/x", "https://"), ("hooks.example.gov.cn", ""),
            ("https://user:secret@hooks.example.gov.cn/x", "user name"), ("https:///x", "no host"),
            ("https://169.254.169.254/latest/meta-data", "link-local"), ("https://10.0.0.1/x", "private"), ("https://10.255.1.2/x", "private"),
            ("https://172.16.0.1/x", "private"), ("https://172.31.255.255/x", "private"), ("https://192.168.1.1/x", "private"),
            ("https://127.0.0.1/x", "loopback"), ("https://127.8.9.10:8443/x", "loopback"), ("https://0.0.0.0/x", "unspecified"),
            ("https://224.0.0.1/x", "multicast"), ("https://255.255.255.255/x", "reserved"), ("https://100.100.100.200/x", "shared"),
            ("https://[::1]/x", "loopback"), ("https://[::]/x", "unspecified"), ("https://[fe80::1]/x", "link-local"),
            ("https://[fd00:ec2::254]/x", "private"), ("https://[fc00::1]/x", "private"), ("https://[ff02::1]/x", "multicast"),
            ("https://[::ffff:10.0.0.1]/x", "private"), ("https://[::ffff:127.0.0.1]/x", "loopback"),
            ("https://[64:ff9b::a9fe:a9fe]/x", "link-local"), ("https://[2002:a00:1::]/x", "private"),
            ("https://localhost/x", "loopback"), ("https://LOCALHOST./x", "loopback"), ("https://api.localhost/x", "loopback"),
            ("https://metadata.google.internal/computeMetadata/v1/", "metadata"), ("https://2130706433/x", "standard form"),
            ("https://0x7f000001/x", "standard form"), ("https://127.1/x", "standard form"), ("https://010.0.0.1/x", "standard form"),
            ("https://under_score.example/x", "standard form"),
        ])
    func refused(url: String, reason: String) {
        do {
            let target = try Self.policy.target(url)
            Issue.record("\(url) was accepted as \(target)")
        } catch let error as ShareBusError {
            #expect(error.code == .invalidWebhookURL, "\(url)")
            #expect(error.code.status == 422)
            #expect(reason.isEmpty || error.detail.contains(reason), "\(url): \(error.detail)")
        } catch {
            Issue.record("\(url): \(error)")
        }
    }

    @Test(
        "the operator allow-list permits host names, suffixes, addresses and blocks",
        arguments: [
            ("https://localhost:9000/x", ["localhost"]), ("https://127.0.0.1:9000/x", ["127.0.0.1"]), ("https://[::1]/x", ["::1"]),
            ("https://10.20.3.4/x", ["10.20.0.0/16"]), ("https://[fd12::5]/x", ["fd00::/8"]), ("https://hooks.corp.internal/x", [".corp.internal"]),
            ("https://hooks.corp.internal/x", ["HOOKS.corp.internal"]), ("https://[::ffff:10.20.3.4]/x", ["10.20.0.0/16"]),
        ])
    func allowList(url: String, allow: [String]) throws {
        _ = try WebhookURLPolicy(allowList: allow).target(url)
    }

    @Test(
        "an allow-list entry permits only what it names",
        arguments: [
            ("https://10.21.0.1/x", ["10.20.0.0/16"]), ("https://127.0.0.2/x", ["127.0.0.1"]), ("https://localhost/x", [".localhost"]),
            ("https://api.localhost/x", ["localhost"]), ("https://169.254.169.254/x", ["10.0.0.0/8", "localhost"]),
        ])
    func allowListIsNarrow(url: String, allow: [String]) {
        #expect(throws: ShareBusError.self) { try WebhookURLPolicy(allowList: allow).target(url) }
    }

    @Test("every address a name resolves to is judged; one bad address refuses the URL")
    func resolvedAddresses() async throws {
        struct Resolver: WebhookResolver {
            let answers: [String: [String]]
            func resolve(host: String) async throws -> [WebhookAddress] { (answers[host] ?? []).compactMap(WebhookAddress.init) }
        }
        let resolver = Resolver(answers: [
            "good.example.gov.cn": ["203.0.119.7", "2001:db8::7"], "rebind.example.gov.cn": ["203.0.119.7", "10.0.0.8"],
            "meta.example.gov.cn": ["169.254.169.254"],
        ])
        let guardian = WebhookGuard(policy: WebhookURLPolicy(), resolver: resolver)
        _ = try await guardian.checkConnection("https://good.example.gov.cn/x")
        for host in ["rebind.example.gov.cn", "meta.example.gov.cn", "nowhere.example.gov.cn"] {
            await #expect(throws: ShareBusError.self, "\(host)") { _ = try await guardian.checkConnection("https://\(host)/x") }
        }
        // At subscription time a name that does not resolve yet is accepted; a bad one is not.
        try await guardian.checkSubscription("https://nowhere.example.gov.cn/x")
        await #expect(throws: ShareBusError.self) { try await guardian.checkSubscription("https://meta.example.gov.cn/x") }
        // An allow-listed name is not resolved at all.
        let allowed = WebhookGuard(policy: WebhookURLPolicy(allowList: ["meta.example.gov.cn"]), resolver: resolver)
        _ = try await allowed.checkConnection("https://meta.example.gov.cn/x")
    }

    @Test(
        "CIDR blocks contain what they should",
        arguments: [
            ("10.0.0.0/8", "10.255.255.255", true), ("10.0.0.0/8", "11.0.0.0", false), ("172.16.0.0/12", "172.31.0.1", true),
            ("172.16.0.0/12", "172.32.0.1", false), ("fe80::/10", "febf::1", true), ("fe80::/10", "fec0::1", false),
            ("0.0.0.0/0", "8.8.8.8", true), ("::/0", "8.8.8.8", false), ("192.0.2.1", "192.0.2.1", true),
        ])
    func cidr(block: String, address: String, contained: Bool) throws {
        let block = try #require(CIDRBlock(block))
        let address = try #require(WebhookAddress(address))
        #expect(block.contains(address) == contained)
    }

    @Test(
        "allow-list entries are checked",
        arguments: [
            ("10.0.0.0/8", true), ("hooks.corp.internal", true), (".corp.internal", true), ("::1", true), ("10.0.0.0/33", false),
            ("not a host", false), ("", false),
        ])
    func allowListEntries(entry: String, valid: Bool) {
        #expect(WebhookURLPolicy.isValidAllowListEntry(entry) == valid)
    }
}
