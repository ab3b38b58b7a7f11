import Foundation

/// Which process on this host holds a TCP connection's client end, read from Linux's `/proc`
/// as `ss -p` does: the socket's inode from `/proc/net/tcp` (and `tcp6`), then the process whose
/// file descriptors include that socket. Tests use it to tell which of several bus processes
/// sharing one client certificate made a request.
public enum SocketOwner {
    /// The process whose socket is connected from `clientPort` to `serverPort` on this host; nil
    /// when no such socket is found (not Linux, or the connection is already gone).
    public static func process(clientPort: Int, serverPort: Int) -> Int32? {
        guard let inode = inode(clientPort: clientPort, serverPort: serverPort) else { return nil }
        let target = "socket:[\(inode)]"
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for name in processes {
            guard let pid = Int32(name), pid != ProcessInfo.processInfo.processIdentifier else { continue }
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(name)/fd")) ?? []
            for descriptor in descriptors
            where (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/fd/\(descriptor)")) == target {
                return pid
            }
        }
        return nil
    }

    /// The inode of the socket whose local port is `clientPort` and whose peer's is `serverPort`.
    static func inode(clientPort: Int, serverPort: Int) -> String? {
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Read to the end: these files report no size, and a read sized by it stops after a page.
            guard let data = try? FileHandle(forReadingFrom: URL(fileURLWithPath: table)).readToEnd(),
                let text = String(data: data, encoding: .utf8)
            else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, port(of: fields[1]) == clientPort, port(of: fields[2]) == serverPort else { continue }
                return String(fields[9])
            }
        }
        return nil
    }

    /// The port of an `address:port` field, the port in hexadecimal.
    static func port(of field: Substring) -> Int? {
        field.split(separator: ":").last.flatMap { Int($0, radix: 16) }
    }
}
