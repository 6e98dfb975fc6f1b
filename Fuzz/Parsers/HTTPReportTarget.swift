import Foundation
import FuzzSupport
import IncidentCore

/// The body of `POST /api/v1/incidents` (`ReportedIncident`, decoded with `JSONDecoder` as the route does): a
/// decoded report has a title and a reporter that are not blank, and encodes to JSON that decodes to itself.
enum HTTPReportTarget {
    static let target = FuzzTarget("http-report") { data in
        guard let report = try? JSONDecoder().decode(ReportedIncident.self, from: data) else { return }
        FuzzCheck.require(!report.title.allSatisfy(\.isWhitespace), "a blank title was accepted")
        FuzzCheck.require(!report.by.allSatisfy(\.isWhitespace), "a blank reporter was accepted")
        let again = (try? JSONEncoder().encode(report)).flatMap {
            try? JSONDecoder().decode(ReportedIncident.self, from: $0)
        }
        FuzzCheck.require(again == report, "does not survive a round trip: \(report)")
    }
}
