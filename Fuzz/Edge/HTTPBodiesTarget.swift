#if DEBUG
    import Foundation
    import FuzzSupport

    @testable import IncidentServer

    /// The bodies of the lifecycle routes (`ActionRequest`: ack, resolve, close, reopen) and of notes
    /// (`NoteRequest`), decoded as the routes do: what decodes names a person (and a note text), and what does
    /// not is an `APIError` or a `DecodingError`, the errors the middleware answers with 400 rather than 500.
    enum HTTPBodiesTarget {
        static let target = FuzzTarget("http-bodies") { data in
            do {
                let action = try ActionRequest.decode(data)
                FuzzCheck.require(!action.by.allSatisfy(\.isWhitespace), "an action by no one")
                FuzzCheck.require(action.note.map { !$0.isEmpty } ?? true, "an empty note kept")
            } catch {
                check(error)
            }
            do {
                let note = try NoteRequest.decode(data)
                FuzzCheck.require(!note.by.allSatisfy(\.isWhitespace), "a note by no one")
                FuzzCheck.require(!note.text.allSatisfy(\.isWhitespace), "a blank note")
            } catch {
                check(error)
            }
        }

        static func check(_ error: any Error) {
            switch error {
            case let error as APIError:
                FuzzCheck.require(error.code == .badRequest, "a body refused with \(error.code)")
            case let error as DecodingError:
                FuzzCheck.require(!APIErrorMiddleware.describe(error).isEmpty, "an empty description")
            default:
                FuzzCheck.require(false, "a body refused with \(type(of: error)), a 500: \(error)")
            }
        }
    }
#endif
