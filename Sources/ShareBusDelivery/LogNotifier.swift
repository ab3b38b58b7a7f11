import Foundation

/// Wakes long-polls when a resource's log grows: pushes call `notify`, pulls `wait`.
///
/// Each resource has a version that every accepted envelope bumps. A pull reads the version, then
/// the log, and if it found nothing waits for the version to move, so a push that lands between the
/// read and the wait is never missed. No timer polls the database.
public actor LogNotifier {
    private var versions: [String: UInt64] = [:]
    private var waiters: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]

    public init() {}

    public func version(of resource: String) -> UInt64 { versions[resource, default: 0] }

    public func notify(_ resource: String) {
        versions[resource, default: 0] &+= 1
        if let waiting = waiters.removeValue(forKey: resource) {
            for continuation in waiting.values { continuation.resume() }
        }
    }

    /// Returns when the resource's version differs from `seen`, or after `timeout`, or on cancellation.
    public func wait(for resource: String, seen: UInt64, timeout: Duration) async {
        guard versions[resource, default: 0] == seen else { return }
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.wake(resource, id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[resource, default: [:]][id] = continuation
            }
        } onCancel: {
            Task { await self.wake(resource, id) }
        }
        timer.cancel()
    }

    private func wake(_ resource: String, _ id: UUID) {
        waiters[resource]?.removeValue(forKey: id)?.resume()
    }
}
