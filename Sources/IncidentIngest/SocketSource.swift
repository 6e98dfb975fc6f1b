import Glibc
import IncidentCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The Unix stream socket source: newline-delimited JSON alerts in, one reply line per input line out, each
/// sent only after the line's events are committed (SPEC §2, §4, §9).
///
/// Clients may pipeline: lines are submitted as soon as they are decoded, so many share one commit, and the
/// replies keep the order of the lines. When the sink pushes back, or a connection has `maxPendingLines`
/// lines waiting for their commit, the source stops reading that connection. On graceful shutdown it stops
/// accepting and reading, answers every line already submitted, then closes.
public final class SocketSource: Service, Sendable {
    /// Where and how the source listens.
    public let configuration: SocketSourceConfiguration
    let decoder: PayloadDecoder
    let sink: any EventSink
    let logger: Logger
    let eventLoopGroup: any EventLoopGroup
    let now: @Sendable () -> Timestamp
    let readiness = ReadySignal()

    let connectionsOpen = Atomic<Int>(0)
    let connectionsAccepted = Atomic<Int>(0)
    let connectionsRefused = Atomic<Int>(0)
    let linesAccepted = Atomic<Int>(0)
    let linesFailed = Atomic<Int>(0)

    /// Makes the source; nothing is opened before `run()`.
    ///
    /// - Parameters:
    ///   - decoder: decodes each line as a generic alert or array of alerts, with the configured limits.
    ///   - sink: where the events go; its tickets decide the replies.
    ///   - now: the arrival time stamped on the events.
    public init(
        configuration: SocketSourceConfiguration, decoder: PayloadDecoder, sink: any EventSink, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        now: @escaping @Sendable () -> Timestamp = Timestamp.wallClock
    ) {
        self.configuration = configuration
        self.decoder = decoder
        self.sink = sink
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.now = now
    }

    /// Returns once the socket is listening with its mode set; throws the error that kept it from opening.
    ///
    /// The daemon awaits this for every source before it sends READY=1.
    public func ready() async throws(SourceError) {
        try await readiness.wait()
    }

    /// The counts so far.
    public var counters: SocketSourceCounters {
        SocketSourceCounters(
            connectionsOpen: connectionsOpen.load(ordering: .relaxed),
            connectionsAccepted: connectionsAccepted.load(ordering: .relaxed),
            linesAccepted: linesAccepted.load(ordering: .relaxed),
            linesFailed: linesFailed.load(ordering: .relaxed),
            connectionsRefused: connectionsRefused.load(ordering: .relaxed))
    }

    /// Listens until graceful shutdown or cancellation, serving every client on its own task.
    public func run() async throws {
        let path = configuration.path
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        let inode: ino_t
        do throws(SourceError) {
            try Self.removeStaleSocket(at: path)
            server = try await listen()
            do {
                inode = try Self.setMode(configuration.mode, at: path)
            } catch {
                try? await server.channel.close()
                Self.unlinkSocket(at: path, inode: nil)
                throw error
            }
        } catch {
            readiness.complete(.failure(error))
            throw error
        }
        readiness.complete(.success(()))
        logger.info(
            "socket source listening",
            metadata: ["path": "\(path)", "mode": "\(String(configuration.mode, radix: 8))"])

        try await withThrowingDiscardingTaskGroup { group in
            do {
                try await withGracefulShutdownHandler {
                    try await server.executeThenClose { clients in
                        for try await client in clients {
                            guard connectionsOpen.load(ordering: .relaxed) < configuration.maxConnections else {
                                if connectionsRefused.add(1, ordering: .relaxed).newValue % 1000 == 1 {
                                    logger.warning(
                                        "socket source refused a connection: max_connections are open",
                                        metadata: ["max_connections": "\(configuration.maxConnections)"])
                                }
                                client.channel.close(promise: nil)
                                continue
                            }
                            // Counted here, not in serve(): the next accept must already see this one.
                            connectionsOpen.add(1, ordering: .relaxed)
                            connectionsAccepted.add(1, ordering: .relaxed)
                            group.addTask { await self.serve(client) }
                        }
                    }
                } onGracefulShutdown: {
                    server.channel.close(promise: nil)
                }
            } catch  where Task.isShuttingDownGracefully {
                // Closing the listener on shutdown may end the accept loop with an error; it has done its job.
            } catch {
                Self.unlinkSocket(at: path, inode: inode)
                logger.error("socket source stopped accepting", metadata: ["path": "\(path)", "error": "\(error)"])
                throw error
            }
            // New clients now get ECONNREFUSED or ENOENT at once while the open connections drain.
            Self.unlinkSocket(at: path, inode: inode)
            logger.info(
                "socket source stopped accepting",
                metadata: ["path": "\(path)", "connections": "\(connectionsOpen.load(ordering: .relaxed))"])
        }
        logger.info("socket source stopped", metadata: ["path": "\(path)"])
    }

    private func listen() async throws(SourceError) -> NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never> {
        let path = configuration.path
        do {
            return try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                // A client that shuts down its writing side still gets the replies to what it sent.
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SourceError(
                .socketBindFailed, path: path,
                message: "cannot listen on \(path): \(error); "
                    + "check that its directory exists and the service user may write there")
        }
    }

    /// Removes a socket left by a previous run; refuses a live socket or any other kind of file.
    static func removeStaleSocket(at path: String) throws(SourceError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw SourceError(
                .socketBindFailed, path: path, message: "cannot inspect \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw SourceError(
                .socketPathInUse, path: path,
                message:
                    "\(path) exists and is not a socket; remove it or set sources.socket.path to another path")
        }
        if UnixSocket.acceptsConnections(at: path) {
            throw SourceError(
                .socketPathInUse, path: path,
                message: "another process is listening on \(path); stop it or set sources.socket.path to another path")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw SourceError(
                .socketBindFailed, path: path,
                message: "cannot remove the stale socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Gives the socket its configured permission bits; returns its inode, to remove only this socket later.
    static func setMode(_ mode: UInt16, at path: String) throws(SourceError) -> ino_t {
        var info = stat()
        guard chmod(path, mode_t(mode)) == 0, lstat(path, &info) == 0 else {
            throw SourceError(
                .socketBindFailed, path: path,
                message: "cannot set mode \(String(mode, radix: 8)) on \(path): \(String(cString: strerror(errno)))")
        }
        return info.st_ino
    }

    /// Removes the socket file if it is still the one this source made (another instance may have replaced it).
    static func unlinkSocket(at path: String, inode: ino_t?) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return }
        if let inode, info.st_ino != inode { return }
        unlink(path)
    }
}
