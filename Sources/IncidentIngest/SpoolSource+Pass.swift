import Foundation
import IncidentCore
import Logging
import ServiceLifecycle

extension SpoolSource {
    /// What to do with one file of `new/`.
    enum Preparation {
        case vanished
        case committedBefore
        case refused(PayloadError)
        /// The events, and the position to commit with them.
        case events([Event], position: String)
        case unavailable(any Error)
        /// Opening or reading failed for a reason that is not the file's; it stays in `new/`.
        case deferred(String)
    }

    /// One walk over `new/` in name order; false when the store was unavailable and the pass stopped early.
    ///
    /// Up to `maxFilesInFlight` files are submitted before the oldest commit is awaited, so a burst of files
    /// shares commits instead of paying one each.
    func pass(watcher: SpoolWatcher, complete: inout Set<String>) async -> Bool {
        // Taken before listing: a file announced later is still announced at the next pass.
        complete.formUnion(watcher.takeAnnounced())
        let directory = self.directory
        let entries: [SpoolDirectory.Entry]
        do {
            entries = try await threadPool.runIfActive { try directory.listNew() }
        } catch {
            logger.error("spool source cannot list new files", metadata: ["error": "\(error)"])
            return false
        }
        complete.formIntersection(entries.map(\.name))
        let quietSince = now() - configuration.settleTime
        var inFlight: [(name: String, ticket: IngestTicket)] = []
        var available = true
        for entry in entries {
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            // A file no inotify event called complete may still be being written directly in new/.
            guard complete.contains(entry.name) || entry.modified <= quietSince else { continue }
            if inFlight.count >= configuration.maxFilesInFlight {
                let oldest = inFlight.removeFirst()
                guard await settle(oldest.name, oldest.ticket) else {
                    complete.insert(oldest.name)
                    available = false
                    break
                }
            }
            switch await prepare(entry.name) {
            case .vanished:
                break
            case .committedBefore:
                logger.notice(
                    "spool file already committed, moved to done without ingesting it again",
                    metadata: ["file": "\(entry.name)"])
                if await moveToDone(entry.name) { filesAlreadyCommitted.add(1, ordering: .relaxed) }
            case .refused(let reason):
                await moveToFailed(entry.name, reason: reason)
            case .unavailable(let error):
                logger.warning(
                    "spool source cannot ask the store about a file; it stays in new/",
                    metadata: ["file": "\(entry.name)", "error": "\(error)"])
                available = false
            case .deferred(let reason):
                // Out of descriptors or memory, the next files would fail alike: stop and back off.
                filesDeferred.add(1, ordering: .relaxed)
                logger.warning(
                    "spool file cannot be read for now; it stays in new/ and is tried again",
                    metadata: ["file": "\(entry.name)", "error": "\(reason)"])
                available = false
            case .events(let events, let position):
                let ticket = await sink.submit(events, positions: [Self.positionKey(forFile: entry.name): position])
                inFlight.append((entry.name, ticket))
            }
            if !available { break }
            // Once handled, a name is forgotten, so a later file of the same name waits for its own event.
            complete.remove(entry.name)
        }
        // Submitted files are settled even when stopping: their commits may already have happened.
        for (name, ticket) in inFlight {
            if await !settle(name, ticket) {
                available = false
                complete.insert(name)
            }
        }
        return available
    }

    /// Decides a file's fate before anything is submitted.
    ///
    /// The file is read before the store is asked: its position counts only for the very file it was committed
    /// for (`SpoolPosition`), which the descriptor read through identifies.
    func prepare(_ name: String) async -> Preparation {
        let directory = self.directory
        let limit = decoder.maxPayloadBytes
        let content: SpoolDirectory.Content
        do {
            content = try await threadPool.runIfActive { directory.read(name, limit: limit) }
        } catch {
            return .unavailable(error)
        }
        switch content {
        case .vanished:
            return .vanished
        case .refused(let reason):
            return .refused(reason)
        case .deferred(let reason):
            return .deferred(reason)
        case .data(let data, let identity):
            do {
                if let stored = try await positions.position(Self.positionKey(forFile: name)),
                    SpoolPosition(text: stored).isPosition(of: identity)
                {
                    return .committedBefore
                }
            } catch {
                return .unavailable(error)
            }
            let receivedAt = now()
            do {
                let events = try decoder.decode(data, format: nil, source: .spool, receivedAt: receivedAt)
                return .events(events, position: SpoolPosition(identity: identity, committedAt: receivedAt).text)
            } catch {
                return .refused(error)
            }
        }
    }

    /// Waits for a file's commit and moves it; false when the sink could not commit (the file stays in new/).
    func settle(_ name: String, _ ticket: IngestTicket) async -> Bool {
        do {
            let receipt = try await ticket.receipt()
            logger.debug(
                "spool file ingested",
                metadata: [
                    "file": "\(name)", "accepted": "\(receipt.accepted)",
                    "incidents": "\(receipt.incidents.joined(separator: ","))",
                ])
            if await moveToDone(name) { filesDone.add(1, ordering: .relaxed) }
            return true
        } catch  where error.code == .invalid {
            await moveToFailed(name, reason: PayloadError(error.code.rawValue, error.message))
            return true
        } catch {
            logger.warning(
                "spool file not committed; it stays in new/ and is tried again",
                metadata: ["file": "\(name)", "error": "\(error)"])
            return false
        }
    }

    /// Moves a committed file to done/; false when it could not be moved (it is moved at a later pass).
    func moveToDone(_ name: String) async -> Bool {
        let directory = self.directory
        let time = now()
        do {
            _ = try await threadPool.runIfActive { try directory.moveToDone(name, at: time) }
            return true
        } catch {
            logger.error("spool source cannot move a file to done", metadata: ["file": "\(name)", "error": "\(error)"])
            return false
        }
    }

    func moveToFailed(_ name: String, reason: PayloadError) async {
        let directory = self.directory
        let time = now()
        do {
            let target = try await threadPool.runIfActive {
                try directory.moveToFailed(name, reason: reason, at: time)
            }
            filesFailed.add(1, ordering: .relaxed)
            logger.warning(
                "spool file refused, moved to failed",
                metadata: [
                    "file": "\(name)", "failed": "\(target)", "code": "\(reason.code)", "error": "\(reason.message)",
                ])
        } catch {
            logger.error(
                "spool source cannot move a file to failed", metadata: ["file": "\(name)", "error": "\(error)"])
        }
    }
}
