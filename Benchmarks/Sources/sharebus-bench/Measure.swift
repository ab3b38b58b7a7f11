import Foundation
import Histogram
import Synchronization

/// Monotonic nanoseconds, for latencies.
@inline(__always) func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Wall-clock microseconds since 1970, carried inside records (`sentAt`) to measure end-to-end lag
/// between processes on this machine.
@inline(__always) func wallMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

/// Latencies in microseconds, kept by HdrHistogram (3 significant digits, up to 10 minutes).
struct Latencies: Sendable {
    var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(nanos: UInt64) { _ = histogram.record(max(1, nanos / 1000)) }
    mutating func record(micros: Int64) { _ = histogram.record(UInt64(max(1, micros))) }
    mutating func add(_ other: Latencies) { histogram.add(other.histogram) }

    var summary: [String: Any] {
        let h = histogram
        guard h.totalCount > 0 else { return ["count": 0] }
        return [
            "count": Int(h.totalCount), "mean": (h.mean * 10).rounded() / 10, "p50": Int(h.valueAtPercentile(50)),
            "p90": Int(h.valueAtPercentile(90)), "p99": Int(h.valueAtPercentile(99)), "p99.9": Int(h.valueAtPercentile(99.9)),
            "max": Int(h.max),
        ]
    }
}

/// A counter shared by workers (records pushed so far, for count-bounded phases).
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ n: Int) -> Int { value.add(n, ordering: .relaxed).newValue }
    var current: Int { value.load(ordering: .relaxed) }
}

/// Samples another process's memory (`/proc/<pid>/status`) and CPU time (`/proc/<pid>/stat`).
struct ProcessProbe: Sendable {
    let pid: Int32

    /// (VmRSS, VmHWM) in KiB.
    func memory() -> (rss: Int, hwm: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var rss = 0
        var hwm = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { rss = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0 }
            if line.hasPrefix("VmHWM:") { hwm = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0 }
        }
        return (rss, hwm)
    }

    /// User + system CPU seconds used so far.
    func cpuSeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime field 14, stime field 15 (1-based over the whole line).
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Samples a process every 100 ms while a phase runs: the largest VmRSS seen, VmHWM at the end, CPU used.
final class PhaseMonitor: Sendable {
    let probe: ProcessProbe?
    private let task: Task<Int, Never>?
    private let cpuAtStart: Double?
    private let selfCPUAtStart: Double
    private let started = nowNanos()
    /// The other nodes of a bus that several processes serve: their CPU is added to `nodes_cpu_cores`.
    private let others: [(probe: ProcessProbe, cpuAtStart: Double?)]

    init(pid: Int32?, others otherPIDs: [Int32] = []) {
        probe = pid.map { ProcessProbe(pid: $0) }
        cpuAtStart = probe?.cpuSeconds()
        others = otherPIDs.map { ProcessProbe(pid: $0) }.map { ($0, $0.cpuSeconds()) }
        selfCPUAtStart = Self.selfCPU()
        if let probe {
            task = Task.detached {
                var largest = 0
                while !Task.isCancelled {
                    if let m = probe.memory() { largest = max(largest, m.rss) }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                if let m = probe.memory() { largest = max(largest, m.rss) }
                return largest
            }
        } else {
            task = nil
        }
    }

    static func selfCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Stops sampling; what was seen, as JSON.
    func finish() async -> [String: Any] {
        let elapsed = Double(nowNanos() - started) / 1e9
        var result: [String: Any] = ["client_cpu_s": ((Self.selfCPU() - selfCPUAtStart) * 100).rounded() / 100]
        guard let task, let probe else { return result }
        task.cancel()
        let largest = await task.value
        result["bus_rss_max_mb"] = (Double(largest) / 1024 * 10).rounded() / 10
        if let m = probe.memory() { result["bus_hwm_mb"] = (Double(m.hwm) / 1024 * 10).rounded() / 10 }
        if let start = cpuAtStart, let end = probe.cpuSeconds() {
            result["bus_cpu_s"] = ((end - start) * 100).rounded() / 100
            result["bus_cpu_cores"] = ((end - start) / max(elapsed, 0.001) * 100).rounded() / 100
            if !others.isEmpty {
                let used = others.reduce(end - start) { total, other in
                    guard let a = other.cpuAtStart, let b = other.probe.cpuSeconds() else { return total }
                    return total + (b - a)
                }
                result["nodes_cpu_cores"] = (used / max(elapsed, 0.001) * 100).rounded() / 100
            }
        }
        return result
    }
}

/// Prints one JSON object on stdout: the result of a workload, read by scripts/bench.sh.
func emit(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func log(_ line: String) {
    FileHandle.standardError.write(Data("sharebus-bench: \(line)\n".utf8))
}

func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
