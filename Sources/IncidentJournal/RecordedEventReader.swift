import Foundation
import IncidentCore
import IncidentPayload

/// Reads recorded events for replay: journal files or directories, journal export text, webhook payload files
/// and NDJSON (one payload per line). A bad line or entry is reported and skipped; the good ones around it are kept.
public struct RecordedEventReader: Sendable {
    public struct Problem: Sendable, CustomStringConvertible {
        public var file: String
        /// Line (NDJSON) or entry (journal) number, from 1; 0 for the whole file.
        public var position: Int
        public var message: String
        public var description: String { position > 0 ? "\(file):\(position): \(message)" : "\(file): \(message)" }
    }

    public var decoder: PayloadDecoder

    public init(decoder: PayloadDecoder = PayloadDecoder(maxPayloadBytes: 1 << 30)) { self.decoder = decoder }

    /// Every entry of a journal directory (or the local journal when `directory` is nil).
    public func readJournal(directory: String?) -> ([Event], [Problem]) {
        let name = directory ?? "local journal"
        do {
            let reader = try JournalReader(directory.map { .directory($0) } ?? .local)
            return drain(reader, name: name)
        } catch {
            return ([], [Problem(file: name, position: 0, message: "cannot open the journal: \(error)")])
        }
    }

    func drain(_ reader: JournalReader, name: String) -> ([Event], [Problem]) {
        var events: [Event] = []
        var problems: [Problem] = []
        var index = 0
        do {
            while try reader.next() {
                index += 1
                do {
                    events.append(try reader.event(receivedAt: reader.realtime() ?? .zero))
                } catch {
                    problems.append(Problem(file: name, position: index, message: "\(error)"))
                }
            }
        } catch {
            problems.append(Problem(file: name, position: index + 1, message: "\(error)"))
        }
        return (events, problems)
    }

    /// One recorded file, whatever its form.
    public func read(file: String) -> ([Event], [Problem]) {
        if file.hasSuffix(".journal") || file.hasSuffix(".journal~") {
            do {
                return drain(try JournalReader(.files([file])), name: file)
            } catch {
                return ([], [Problem(file: file, position: 0, message: "cannot open the journal file: \(error)")])
            }
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            return ([], [Problem(file: file, position: 0, message: "cannot read the file")])
        }
        if Self.looksLikeExport(data) { return readExport(data, file: file) }
        let trimmed = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        // A whole-file JSON document (a webhook payload) first; otherwise one payload per line.
        if let first = trimmed.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
            let events = try? decoder.decode(data, source: .spool, receivedAt: .zero)
        {
            return (events, [])
        }
        var events: [Event] = []
        var problems: [Problem] = []
        var lineNumber = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            do {
                events += try decoder.decode(Data(line), source: .socket, receivedAt: .zero)
            } catch {
                problems.append(Problem(file: file, position: lineNumber, message: "\(error)"))
            }
        }
        return (events, problems)
    }

    static func looksLikeExport(_ data: Data) -> Bool {
        guard let newline = data.firstIndex(of: 0x0A) else { return false }
        let first = data[data.startIndex..<newline]
        guard let eq = first.firstIndex(of: UInt8(ascii: "=")), eq > first.startIndex else { return false }
        return first[first.startIndex..<eq].allSatisfy {
            ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "_")
        }
    }

    func readExport(_ data: Data, file: String) -> ([Event], [Problem]) {
        var events: [Event] = []
        var problems: [Problem] = []
        let entries: [[String: String]]
        do {
            entries = try JournalExportParser().parse(data)
        } catch {
            return ([], [Problem(file: file, position: error.entry, message: error.message)])
        }
        for (i, fields) in entries.enumerated() {
            do {
                events.append(try JournalEntryMapper.event(fields: fields, receivedAt: .zero))
            } catch {
                problems.append(Problem(file: file, position: i + 1, message: "\(error)"))
            }
        }
        return (events, problems)
    }
}
