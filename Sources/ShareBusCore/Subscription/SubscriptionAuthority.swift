/// Who may do what with a subscription (protocol section 5). The caller is the `Principal` of a
/// verified client certificate; `department` is that caller's registered record, nil for an
/// operator or a department the bus does not know.
///
/// Every answer fails closed: a suspended department may do nothing, and a record that is not
/// the caller's own (its id differs from the principal's) counts as no record.
public enum SubscriptionAuthority {
    /// Approve or reject a pending request: the resource's provider, or a steward.
    public static func canDecide(principal: Principal, department: Department?, resource: Resource) -> Bool {
        guard case .department(let id) = principal, let record = own(principal, department) else { return false }
        return id == resource.provider || record.has(.steward)
    }

    /// Suspend, resume or revoke: the resource's provider, a steward, or any operator.
    public static func canManage(principal: Principal, department: Department?, resource: Resource) -> Bool {
        if case .operator = principal { return true }
        return canDecide(principal: principal, department: department, resource: resource)
    }

    /// See a subscription: its consumer, the resource's provider, a steward, or any operator.
    /// Operators see the subscription, never the records it delivers.
    public static func canRead(
        principal: Principal, department: Department?, subscription: Subscription, resource: Resource
    ) -> Bool {
        if case .department(let id) = principal, id == subscription.consumer, own(principal, department) != nil {
            return true
        }
        return canManage(principal: principal, department: department, resource: resource)
    }

    /// The caller's department record when it is the caller's own and active.
    private static func own(_ principal: Principal, _ department: Department?) -> Department? {
        guard case .department(let id) = principal, let department, department.id == id, department.status == .active
        else { return nil }
        return department
    }
}
