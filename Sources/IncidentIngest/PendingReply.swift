import IncidentCore

/// A reply a socket client is owed, kept in line order: a submission still to commit, or a refusal known at once.
enum PendingReply: Sendable {
    case submitted(line: Int, IngestTicket)
    case refused(SocketReply)

    /// Whether the reply can be written without waiting.
    var isReady: Bool {
        switch self {
        case .submitted(_, let ticket): ticket.isComplete
        case .refused: true
        }
    }

    /// The reply, once the submission has committed or failed.
    func reply() async -> SocketReply {
        switch self {
        case .submitted(let line, let ticket):
            do {
                return .accepted(try await ticket.receipt())
            } catch {
                return .refused(line: line, code: error.code.rawValue, message: error.message)
            }
        case .refused(let reply):
            return reply
        }
    }
}
