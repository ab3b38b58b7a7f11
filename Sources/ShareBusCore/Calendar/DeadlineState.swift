public import Foundation

/// How a pending decision stands against its deadline (protocol section 5).
public enum DeadlineState: String, Sendable, Hashable, Codable, CaseIterable {
    /// More than `warningWorkingDays` working days remain.
    case due
    /// The deadline has not passed and at most `warningWorkingDays` working days remain.
    case warning
    /// The deadline has passed.
    case overdue

    public static let warningWorkingDays = 2
}

extension WorkingDayCalendar {
    /// `overdue` once `now` is after `due`, `warning` when 2 working days or fewer remain, else `due`.
    public func deadlineState(now: Date, due: Date) -> DeadlineState {
        if now > due { return .overdue }
        return workingDaysRemaining(from: now, until: due) <= DeadlineState.warningWorkingDays ? .warning : .due
    }
}
