import ArgumentParser
import IncidentCore

/// An incident id on the command line: `INC-7` or `7`.
struct IncidentArgument: ExpressibleByArgument, Sendable {
    var number: Int

    init?(argument: String) {
        guard let number = Incident.number(from: argument.uppercased()) else { return nil }
        self.number = number
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
