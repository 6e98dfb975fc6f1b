import Foundation
import IncidentIngest
import IncidentPayload
import TestSupport
import Testing

/// `JournalReader.mappedFields()` reads an entry's items in one pass; it must read what asking libsystemd for
/// each field by name (`field(_:)`, `sd_journal_get_data`) reads, on real journal files.
@Suite(.enabled(if: JournalFixture.available, "needs systemd-journal-remote"))
struct JournalReaderTests {
    /// An entry from `fields` in the order given (a name may repeat), with the times and boot id journald adds.
    static func entry(_ index: Int, _ fields: [(String, [UInt8])]) -> Data {
        var data = Data()
        data.append(Data("__REALTIME_TIMESTAMP=\(JournalFixture.baseMicros + Int64(index) * 1000)\n".utf8))
        data.append(Data("__MONOTONIC_TIMESTAMP=\(1_000_000 + index)\n".utf8))
        data.append(Data("_BOOT_ID=\(JournalFixture.bootID)\n".utf8))
        for (name, value) in fields { data.append(JournalFixture.binaryField(name, value)) }
        data.append(0x0A)
        return data
    }

    static func text(_ fields: [(String, String)]) -> [(String, [UInt8])] { fields.map { ($0.0, Array($0.1.utf8)) } }

    /// What `mappedFields` read before it enumerated: each name asked for on its own.
    static func byName(_ reader: JournalReader) -> [String: String] {
        var fields: [String: String] = [:]
        for name in JournalEntryMapper.fields where name != "__REALTIME_TIMESTAMP" {
            if let value = reader.field(name) { fields[name] = value }
        }
        if let time = reader.realtime() { fields["__REALTIME_TIMESTAMP"] = String(time.microseconds) }
        return fields
    }

    @Test func oneReadOfTheItemsGivesWhatEachFieldAskedForByNameGives() async throws {
        let long = String(repeating: "disk sda failing, sector 123456 unreadable; ", count: 60)  // compressed
        let huge = String(repeating: "kernel: I/O error, dev sdb, sector 987654; ", count: 2_400)  // 103 KB
        let entries: [[(String, [UInt8])]] = [
            // Every field the mapping reads, and some it does not.
            Self.text([
                ("_HOSTNAME", "web1"), ("UNIT", "nginx.service"), ("USER_UNIT", "app.service"),
                ("_SYSTEMD_UNIT", "nginx.service"), ("SYSLOG_IDENTIFIER", "nginx"), ("PRIORITY", "3"),
                ("MESSAGE_ID", "d9b373ed55a64feb8242e02dbe79a49c"), ("MESSAGE", "upstream timed out"),
                ("_UID", "0"), ("_EXE", "/usr/sbin/nginx"), ("_COMM", "nginx"), ("_TRANSPORT", "journal"),
                ("CODE_FILE", "main.c"), ("SEQ", "1"),
            ]),
            // A name given twice: both paths take the same one of the two.
            Self.text([("MESSAGE", "first"), ("SYSLOG_IDENTIFIER", "app"), ("MESSAGE", "second"), ("PRIORITY", "2")]),
            // Values long enough to be stored compressed, one mapped and one not.
            Self.text([("MESSAGE", long), ("COREDUMP_PROC_MAPS", long + long), ("PRIORITY", "1")]),
            // Names that extend or cut a mapped name are not it.
            Self.text([
                ("MESSAGEX", "not the message"), ("MESSAGE_IDX", "x"), ("UNITS", "u"), ("_HOSTNAMES", "h"),
                ("MESSAGE", "the message"), ("_HOST", "short"),
            ]),
            // Bytes that are not UTF-8, a NUL, a newline; an empty value.
            [
                ("MESSAGE", [0x6F, 0x6B, 0x00, 0xFF, 0xFE, 0x0A, 0x41]), ("UNIT", []),
                ("_HOSTNAME", Array("db1".utf8)),
            ],
            // Only a message.
            Self.text([("MESSAGE", "alone")]),
            // Past libsystemd's 64 KiB data threshold, compressed: a mapped field and one that is not.
            Self.text([("PRIORITY", "4"), ("COREDUMP", huge + huge), ("MESSAGE", huge)]),
        ]
        try await withTemporaryDirectory { dir in
            var export = Data()
            for (index, fields) in entries.enumerated() { export.append(Self.entry(index, fields)) }
            try await JournalRemote.write(export: export, to: dir, name: "reader")

            let reader = try JournalReader(.directory(dir))
            reader.seekHead()
            var read: [[String: String]] = []
            while try reader.next() {
                let fields = reader.mappedFields()
                #expect(fields == Self.byName(reader))
                read.append(fields)
            }
            try #require(read.count == entries.count)
            #expect(read[0].count == 13)
            #expect(read[0]["_COMM"] == "nginx" && read[0]["CODE_FILE"] == nil && read[0]["SEQ"] == nil)
            #expect(["first", "second"].contains(read[1]["MESSAGE"]))
            #expect(read[2]["MESSAGE"] == long)
            #expect(read[3]["MESSAGE"] == "the message" && read[3]["UNIT"] == nil && read[3]["_HOSTNAME"] == nil)
            #expect(read[3]["MESSAGE_ID"] == nil)
            // systemd-journal-remote stores no item for an empty value: neither path sees one.
            #expect(read[4]["UNIT"] == nil && read[4]["_HOSTNAME"] == "db1")
            #expect(read[4]["MESSAGE"] == String(decoding: [0x6F, 0x6B, 0x00, 0xFF, 0xFE, 0x0A, 0x41], as: UTF8.self))
            #expect(read[5] == ["MESSAGE": "alone", "__REALTIME_TIMESTAMP": String(JournalFixture.baseMicros + 5000)])
            #expect(read[6]["PRIORITY"] == "4" && read[6]["COREDUMP"] == nil)
            #expect(read[6]["MESSAGE"] == huge)
        }
    }
}
