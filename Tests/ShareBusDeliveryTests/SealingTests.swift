import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import Testing

@testable import ShareBusDelivery

/// Sealing records above the store: what the store is given, and that it opens to what was sent.
@Suite("Sealing records")
struct SealingTests {
    static let population = Resource(
        code: "base.population", name: "人口", category: .population, provider: "p", primaryKey: "idNumber",
        fields: [
            .init(name: "idNumber", type: .citizenId, required: true, sensitivity: .L3),
            .init(name: "name", type: .string, required: true, sensitivity: .L3),
            .init(name: "ethnicity", type: .string, sensitivity: .L4),
            .init(name: "registrationAuthority", type: .string, sensitivity: .L2),
        ],
        sharing: .init(type: .unconditional), status: .published)
    static let marriage = Resource(
        code: "cert.marriage", name: "结婚证", category: .certificate, provider: "p", primaryKey: "certificateNumber",
        fields: [
            .init(name: "certificateNumber", type: .string, required: true, sensitivity: .L3),
            .init(name: "holderId", type: .citizenId, required: true, sensitivity: .L3),
            .init(name: "issuer", type: .string, sensitivity: .L2),
        ],
        sharing: .init(type: .unconditional), status: .published)
    static let divisions = Resource(
        code: "base.divisions", name: "区划", category: .geographic, provider: "p", primaryKey: "code",
        fields: [.init(name: "code", type: .divisionCode, required: true, sensitivity: .L1), .init(name: "name", type: .string, sensitivity: .L1)],
        sharing: .init(type: .unconditional), status: .published)

    static let id = "11010519491231002X"
    static let person = #"{"ethnicity":"回族","idNumber":"11010519491231002x","name":"张三丰","registrationAuthority":"银川市公安局"}"#

    static func upsert(_ key: String, _ record: String) -> AcceptedEnvelope.Operation { .init(kind: .upsert, key: key, record: record) }

    @Test("L3/L4 values and an L3 key are stored as tokens and a digest; L1/L2 values stay clear; opening gives back the record")
    func roundTrip() throws {
        let sealer = RecordSealer(keyring: .random())
        let sealed = try sealer.seal(Self.upsert("11010519491231002x", Self.person), resource: Self.population)
        let text = try #require(sealed.record)
        for clear in ["张三丰", "回族", "11010519491231002", "11010519491231002x"] { #expect(!text.contains(clear), "\(clear) in \(text)") }
        #expect(text.contains("银川市公安局"), "an L2 value stays clear")
        #expect(sealed.key == sealer.keyring.indexDigest(Self.id), "the key is the digest of the upper-cased id")
        #expect(sealed.key.count == 64 && sealed.key == sealed.key.uppercased())
        let entry = LogEntry(sequence: 1, op: "upsert", key: sealed.key, record: text, envelopeId: "e", sender: "p", acceptedAt: "t")
        let opened = try sealer.open(entry, resource: Self.population)
        #expect(opened.key == "11010519491231002x", "consumers get the key as it was sent")
        #expect(opened.record == Self.person)
    }

    @Test("a delete of a protected key carries its clear key sealed; of an L1 key, nothing changes")
    func deletes() throws {
        let sealer = RecordSealer(keyring: .random())
        let sealed = try sealer.seal(.init(kind: .delete, key: Self.id, record: nil), resource: Self.population)
        #expect(sealed.record?.contains(Self.id) == false && sealed.key != Self.id)
        let entry = LogEntry(sequence: 2, op: "delete", key: sealed.key, record: sealed.record, envelopeId: "e", sender: "p", acceptedAt: "t")
        let opened = try sealer.open(entry, resource: Self.population)
        #expect(opened.key == Self.id && opened.record == nil)
        let plain = try sealer.seal(.init(kind: .delete, key: "640104", record: nil), resource: Self.divisions)
        #expect(plain.key == "640104" && plain.record == nil)
    }

    @Test("holderId becomes the upper-case digest the holder index matches, and opens to the clear id")
    func holder() throws {
        let sealer = RecordSealer(keyring: .random())
        let record = #"{"certificateNumber":"J640104-2020-000123","holderId":" 11010519491231002x","issuer":"民政局"}"#
        let sealed = try sealer.seal(Self.upsert("J640104-2020-000123", record), resource: Self.marriage)
        let object = try #require(try StrictJSON.parse(Array(sealed.record!.utf8)).objectValue)
        #expect(object["holderId"] == .string(sealer.holderLookup(Self.id, resource: Self.marriage)))
        #expect(sealer.holderLookup(Self.id, resource: Self.marriage) != Self.id)
        #expect(sealer.holderLookup(Self.id, resource: Self.divisions) == Self.id, "an unprotected holder id is looked up as it is")
        let opened = try sealer.open(sealed.record, storedKey: sealed.key, resource: Self.marriage)
        #expect(opened.record?["holderId"] == .string(" 11010519491231002x") && opened.key == "J640104-2020-000123")
    }

    @Test("a token moved to another row or field, or changed, does not open")
    func bound() throws {
        let sealer = RecordSealer(keyring: .random())
        let a = try sealer.seal(Self.upsert(Self.id, Self.person.replacingOccurrences(of: "002x", with: "002X")), resource: Self.population)
        let other = "640104199001011236"
        let b = try sealer.seal(Self.upsert(other, #"{"idNumber":"640104199001011236","name":"李四"}"#), resource: Self.population)
        var swapped = try #require(try StrictJSON.parse(Array(b.record!.utf8)).objectValue)
        let first = try #require(try StrictJSON.parse(Array(a.record!.utf8)).objectValue)
        swapped["name"] = first["name"]
        let moved = try CanonicalJSON.string(.object(swapped))
        #expect(throws: ShareBusError.self) { try sealer.open(moved, storedKey: b.key, resource: Self.population) }
        var crossed = first
        crossed["ethnicity"] = first["name"]
        #expect(throws: ShareBusError.self) {
            try sealer.open(try CanonicalJSON.string(.object(crossed)), storedKey: a.key, resource: Self.population)
        }
        #expect(throws: ShareBusError.self) { try RecordSealer(keyring: .random()).open(a.record, storedKey: a.key, resource: Self.population) }
    }

    @Test("a record stored before sealing is passed through unchanged")
    func legacy() throws {
        let sealer = RecordSealer(keyring: .random())
        let opened = try sealer.open(Self.person, storedKey: "11010519491231002x", resource: Self.population)
        #expect(opened.key == "11010519491231002x")
        #expect(try CanonicalJSON.string(.object(opened.record!)) == Self.person)
    }

    @Test("after a rotation new values seal under the new key and old tokens still open")
    func rotation() throws {
        let folder = DataKeyFolder(path: FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-keys-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        let before = RecordSealer(keyring: try folder.create())
        let old = try before.seal(Self.upsert(Self.id, Self.person), resource: Self.population)
        #expect(try folder.rotate() == "d2")
        let after = RecordSealer(keyring: try folder.load())
        #expect(after.keyring.currentID == "d2")
        let new = try after.seal(Self.upsert(Self.id, Self.person), resource: Self.population)
        #expect(new.key == old.key, "the index key does not rotate: the same key is filed under the same digest")
        #expect(new.record!.contains("sb1.d2.") && !new.record!.contains("sb1.d1.") && old.record!.contains("sb1.d1."))
        #expect(try after.open(old.record, storedKey: old.key, resource: Self.population).record?["name"] == .string("张三丰"))
        for name in ["index.key", "d1.key", "d2.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: folder.path + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name) is \(String(mode ?? 0, radix: 8))")
        }
        let directoryMode = try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
        #expect(throws: SealingError.self) { try folder.create() }
    }
}
