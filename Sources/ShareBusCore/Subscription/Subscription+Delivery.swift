extension Subscription {
    /// How records reach the consumer: `{"mode": "pull"}` or `{"mode": "push", "url": "https://..."}`.
    public enum Delivery: Sendable, Hashable, Codable {
        /// The consumer fetches batches with `GET /v1/subscriptions/{id}/messages`.
        case pull
        /// The bus POSTs each batch to `url` over HTTPS.
        case push(url: String)

        public enum Mode: String, Sendable, Codable, CaseIterable {
            case pull, push
        }

        public var mode: Mode {
            switch self {
            case .pull: .pull
            case .push: .push
            }
        }

        public var url: String? {
            switch self {
            case .pull: nil
            case .push(let url): url
            }
        }

        private enum CodingKeys: String, CodingKey {
            case mode, url
        }

        /// Fails on an unknown mode and on `push` without a `url`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let text = try container.decode(String.self, forKey: .mode)
            switch Mode(rawValue: text) {
            case .pull: self = .pull
            case .push: self = .push(url: try container.decode(String.self, forKey: .url))
            case nil:
                throw DecodingError.dataCorruptedError(
                    forKey: .mode, in: container, debugDescription: "unknown delivery mode \(text); must be pull or push")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(mode, forKey: .mode)
            try container.encodeIfPresent(url, forKey: .url)
        }
    }
}
