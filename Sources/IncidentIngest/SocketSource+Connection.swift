import Foundation
import IncidentCore
import Logging
import NIOCore
import ServiceLifecycle

extension SocketSource {
    /// Serves one client until it closes, the connection fails, or the daemon shuts down.
    ///
    /// This task reads and submits lines; a second task awaits the tickets in order and writes the replies.
    /// A bounded queue between them stops the reading when `maxPendingLines` replies are owed.
    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        // Counted open by the accept loop, which needs the count before this task runs.
        defer { connectionsOpen.subtract(1, ordering: .relaxed) }
        let channel = connection.channel
        do {
            try await withGracefulShutdownHandler {
                try await connection.executeThenClose { inbound, outbound in
                    let replies = BoundedQueue<PendingReply>(capacity: configuration.maxPendingLines)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            do {
                                try await self.writeReplies(from: replies, to: outbound, channel: channel)
                            } catch {
                                // The client is gone: nobody reads the replies, so stop reading its lines too.
                                replies.close()
                                channel.close(promise: nil)
                                throw error
                            }
                        }
                        do {
                            try await readLines(from: inbound, into: replies)
                        } catch {
                            logger.debug("socket client read failed", metadata: ["error": "\(error)"])
                        }
                        replies.finish()
                        try await group.waitForAll()
                    }
                }
            } onGracefulShutdown: {
                // Stop reading: the inbound stream ends, and the writer answers what was already submitted.
                channel.close(mode: .input, promise: nil)
            }
        } catch {
            logger.debug("socket client connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// A line framed and decoded, waiting to be submitted with the rest of its read.
    private enum StagedLine {
        case events(line: Int, [Event])
        case refused(SocketReply)
    }

    /// Frames, decodes and submits lines until the client's side ends, shutdown begins or the writer is gone. The
    /// lines of one read go to the pipeline together (`submit(each:)`): one hop for them all, each its own ticket.
    private func readLines(
        from inbound: NIOAsyncChannelInboundStream<ByteBuffer>, into replies: BoundedQueue<PendingReply>
    ) async throws {
        var framer = LineFramer(maxLineBytes: configuration.maxLineBytes)
        var staged: [StagedLine] = []
        for try await chunk in inbound {
            // Lines read but not yet submitted get no reply: unacknowledged, the client sends them again.
            if Task.isShuttingDownGracefully { return }
            framer.append(chunk)
            while let frame = framer.next() {
                guard await stage(frame, into: &staged, replies: replies) else { return }
            }
            await submit(&staged, replies: replies)
        }
        // A last line without a newline counts when the client closed its side, not when shutdown cut it off.
        if !Task.isShuttingDownGracefully, let frame = framer.finish() {
            guard await stage(frame, into: &staged, replies: replies) else { return }
            await submit(&staged, replies: replies)
        }
    }

    /// Decodes one line into `staged`, or stages its refusal; false when the connection no longer takes replies.
    /// Room for its reply comes first, so a full queue stops the reading before anything more is submitted: when
    /// the lines already staged fill it, they are submitted and the reading waits for room.
    private func stage(
        _ frame: LineFramer.Frame, into staged: inout [StagedLine], replies: BoundedQueue<PendingReply>
    ) async -> Bool {
        if case .line(_, let bytes) = frame,
            bytes.readableBytesView.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        {
            return true
        }
        if !replies.hasRoom(beyond: staged.count) {
            await submit(&staged, replies: replies)
            guard await replies.reserve() else { return false }
        }
        switch frame {
        case .tooLong(let number):
            let limit = configuration.maxLineBytes
            staged.append(
                .refused(
                    .refused(
                        line: number, code: "line-too-long",
                        message: "line \(number) is longer than sources.socket.max_line_bytes (\(limit) bytes); "
                            + "it was skipped")))
        case .line(let number, let bytes):
            do {
                let events = try decoder.decode(
                    Data(bytes.readableBytesView), format: .generic, source: .socket, receivedAt: now())
                staged.append(.events(line: number, events))
            } catch {
                staged.append(.refused(.refused(line: number, code: error.code, message: error.message)))
            }
        }
        return true
    }

    /// Submits the staged lines' events and queues every staged reply in line order. Suspends while the pipeline
    /// is full; the connection is not read meanwhile. With the writer gone nothing is submitted.
    private func submit(_ staged: inout [StagedLine], replies: BoundedQueue<PendingReply>) async {
        guard !staged.isEmpty else { return }
        defer { staged.removeAll(keepingCapacity: true) }
        guard !replies.isClosed else { return }
        var submissions: [[Event]] = []
        for case .events(_, let events) in staged { submissions.append(events) }
        let tickets = submissions.isEmpty ? [] : await sink.submit(each: submissions)
        var next = 0
        for line in staged {
            switch line {
            case .events(let number, _):
                replies.append(.submitted(line: number, tickets[next]))
                next += 1
            case .refused(let reply):
                replies.append(.refused(reply))
            }
        }
    }

    /// Writes the replies in line order as their commits complete, batching those already done into one write.
    private func writeReplies(
        from replies: BoundedQueue<PendingReply>, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel
    ) async throws {
        while let first = await replies.first() {
            var buffer = channel.allocator.buffer(capacity: 256)
            record(await first.reply(), into: &buffer)
            replies.removeFirst()
            while buffer.readableBytes < 65_536, let next = replies.first(if: { $0.isReady }) {
                record(await next.reply(), into: &buffer)
                replies.removeFirst()
            }
            try await outbound.write(buffer)
        }
        // The connection is closed when this returns, and a close drops what NIO still holds for a client slow to
        // read. Writes complete in order, so once this empty one has, the kernel has taken every reply.
        // A client that never reads would hold it for ever; when the daemon gives up waiting (cancellation after
        // the graceful shutdown timeout), closing the channel fails the write and ends the wait.
        try await withTaskCancellationHandler {
            try await channel.writeAndFlush(ByteBuffer())
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    private func record(_ reply: SocketReply, into buffer: inout ByteBuffer) {
        if reply.isAccepted {
            linesAccepted.add(1, ordering: .relaxed)
        } else {
            linesFailed.add(1, ordering: .relaxed)
        }
        reply.write(into: &buffer)
    }
}
