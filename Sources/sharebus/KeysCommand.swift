import ArgumentParser
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore

/// `sharebus keys`: the keys that protect L3/L4 values at rest (`<certs>/bus/data-keys/`).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the keys that encrypt sensitive record values at rest.",
        subcommands: [Init.self, Rotate.self, List.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the data keys (an index key and a first data key, files 0600) when there are none.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            let folder = state.pki.dataKeys
            guard !folder.exists else { throw CLIError("\(folder.path) already holds data keys; `sharebus keys rotate` adds one") }
            let keyring = try KeysCommand.mapped { try folder.create() }
            try await KeysCommand.audit(state, action: "keys.init", keyID: keyring.currentID)
            print("Created data key \(keyring.currentID) and the index key in \(folder.path)")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a data key that seals new writes from the next start of `sharebus serve`; older keys stay for reading.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            let folder = state.pki.dataKeys
            let id = try KeysCommand.mapped { try folder.rotate() }
            try await KeysCommand.audit(state, action: "keys.rotate", keyID: id)
            print("Data key \(id) is current from the next start of sharebus serve; earlier keys are kept to read what they sealed.")
            print("The index key is unchanged. Back up \(folder.path) now: a lost key makes what it sealed unreadable.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the data keys by id (never their material).")
        @OptionGroup var state: StateOptions

        func run() async throws {
            let keyring = try KeysCommand.mapped { try state.pki.dataKeys.load() }
            for id in keyring.keyIDs.sorted(by: { $0.count == $1.count ? $0 < $1 : $0.count < $1.count }) {
                print(id == keyring.currentID ? "\(id) current" : id)
            }
        }
    }

    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SealingError {
            throw CLIError(error.description)
        }
    }

    /// Who changed the keys and to which id, in the audit log; never key material.
    static func audit(_ state: StateOptions, action: String, keyID: String) async throws {
        let store = try state.openStore()
        try await store.appendAudit(
            AuditEvent(at: Date(), actor: cliActor, action: action, target: "data-keys", details: ["keyId": .string(keyID)]))
    }
}

extension ServeCommand {
    /// The data keyring for `serve`. A first start (no keys, no records yet) and `--dev` create it; a
    /// store that already holds records is not given new keys silently: what older keys sealed would
    /// become unreadable, so they must be restored (or, for a store written before encryption at rest,
    /// created on purpose with `sharebus keys init`).
    static func loadDataKeys(_ pki: PKIDirectory, store: any ShareBusStore, dev: Bool) async throws -> DataKeyring {
        let folder = pki.dataKeys
        if folder.exists { return try KeysCommand.mapped { try folder.load() } }
        if !dev {
            for resource in try await store.resources(ResourceFilter(limit: 100_000)) where try await store.head(resource: resource.code) > 0 {
                throw CLIError(
                    "no data keys in \(folder.path) but the store holds records: restore the folder from the backup of \(pki.root), or for a store written before encryption at rest run `sharebus keys init`"
                )
            }
        }
        let keyring = try KeysCommand.mapped { try folder.create() }
        FileHandle.standardOutput.write(Data("Created the data keys in \(folder.path)/\n".utf8))
        return keyring
    }
}
