import ArgumentParser

@main
struct SharebusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharebus",
        abstract: "The government data-sharing exchange bus.",
        subcommands: [
            ServeCommand.self, PKICommand.self, DepartmentCommand.self, OperatorCommand.self, AuditorCommand.self, CatalogCommand.self,
            PushCommand.self, PullCommand.self, AuditCommand.self, EvidenceCommand.self, QueuesCommand.self,
            BackupCommand.self, RestoreCommand.self, MigrateStoreCommand.self, KeysCommand.self,
        ])
}
