import Testing

@testable import ShareBusCore

@Suite struct SubscriptionAuthorityTests {
    typealias F = SubscriptionFixtures

    enum Caller: String, CaseIterable, Sendable {
        case provider, steward, consumer, stranger, operatorCaller, suspendedProvider, providerWithoutRecord, impostorRecord

        var principal: Principal {
            switch self {
            case .provider, .suspendedProvider, .providerWithoutRecord: .department(F.provider)
            case .steward: .department(F.steward)
            case .consumer: .department(F.consumer)
            case .stranger: .department("gov.ningxia.jiaoyu")
            case .operatorCaller: .operator("ops01")
            // Claims the steward's record while calling as someone else.
            case .impostorRecord: .department("gov.ningxia.jiaoyu")
            }
        }

        var department: Department? {
            switch self {
            case .provider: F.department(F.provider, [.provider])
            case .steward, .impostorRecord: F.department(F.steward, [.steward, .consumer])
            case .consumer: F.department(F.consumer, [.consumer])
            case .stranger: F.department("gov.ningxia.jiaoyu", [.consumer, .provider])
            case .operatorCaller, .providerWithoutRecord: nil
            case .suspendedProvider: F.department(F.provider, [.provider], status: .suspended)
            }
        }
    }

    /// (caller, may decide, may manage, may read)
    @Test(arguments: [
        (Caller.provider, true, true, true),
        (.steward, true, true, true),
        (.consumer, false, false, true),
        (.stranger, false, false, false),
        (.operatorCaller, false, true, true),
        (.suspendedProvider, false, false, false),
        (.providerWithoutRecord, false, false, false),
        (.impostorRecord, false, false, false),
    ])
    func answers(_ caller: Caller, _ decide: Bool, _ manage: Bool, _ read: Bool) {
        let resource = F.conditional
        let (principal, department) = (caller.principal, caller.department)
        #expect(SubscriptionAuthority.canDecide(principal: principal, department: department, resource: resource) == decide)
        #expect(SubscriptionAuthority.canManage(principal: principal, department: department, resource: resource) == manage)
        let subscription = F.subscription(.pending)
        #expect(
            SubscriptionAuthority.canRead(principal: principal, department: department, subscription: subscription, resource: resource)
                == read)
    }
}
