import Foundation

/// Checks a department before it is registered; names every problem found.
public enum DepartmentValidator {
    public static func validate(_ department: Department, divisions: DivisionTable = .shared) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if !DepartmentID.isValid(department.id) {
            problems.append(.init(pointer: "/id", reason: "must match [a-z0-9][a-z0-9.-]{1,63}"))
        }
        if department.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(.init(pointer: "/name", reason: "must not be empty"))
        }
        if let reason = CreditCode.validate(department.creditCode, divisions: divisions) {
            problems.append(.init(pointer: "/creditCode", reason: reason))
        }
        if !divisions.contains(department.division) {
            problems.append(.init(pointer: "/division", reason: "\(department.division) is not a GB/T 2260 division code"))
        }
        if department.roles.isEmpty {
            problems.append(.init(pointer: "/roles", reason: "needs at least one of provider, consumer, steward, portal"))
        }
        return problems
    }
}
