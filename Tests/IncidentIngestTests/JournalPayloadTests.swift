import Foundation
import IncidentCore
import IncidentIngest
import Testing

@Suite("Journal entries")
struct JournalPayloadTests {
    /// A unit failure as `journalctl -o json` prints it (systemd's catalog MESSAGE_ID for "unit failed").
    static let unitFailed = #"""
        {"__CURSOR":"s=1b4a6d2f0c8e4a4c9d1f2e3a4b5c6d7e;i=2f1a;b=6a1c0e6f2d0b4f7e9c3d2b1a0f9e8d7c;m=3b9aca00;t=644b7d4b1e6a8;x=9f8e7d6c5b4a3928",
         "__REALTIME_TIMESTAMP":"1795328328531944","__MONOTONIC_TIMESTAMP":"1000000000",
         "_BOOT_ID":"6a1c0e6f2d0b4f7e9c3d2b1a0f9e8d7c","_MACHINE_ID":"0f1e2d3c4b5a69788796a5b4c3d2e1f0",
         "_HOSTNAME":"web1","PRIORITY":"3","SYSLOG_FACILITY":"3","SYSLOG_IDENTIFIER":"systemd",
         "_PID":"1","_UID":"0","_GID":"0","_COMM":"systemd","_EXE":"/usr/lib/systemd/systemd",
         "_CMDLINE":"/sbin/init","_CAP_EFFECTIVE":"1ffffffffff","_SELINUX_CONTEXT":"unconfined\n",
         "_TRANSPORT":"journal","_SYSTEMD_CGROUP":"/init.scope","_SYSTEMD_UNIT":"init.scope",
         "_SYSTEMD_SLICE":"-.slice","CODE_FILE":"src/core/unit.c","CODE_LINE":"5843",
         "CODE_FUNC":"unit_log_failure","MESSAGE_ID":"d9b373ed55a64feb8242e02dbe79a49c",
         "UNIT":"nginx.service","INVOCATION_ID":"a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8","UNIT_RESULT":"exit-code",
         "MESSAGE":"nginx.service: Failed with result 'exit-code'.","_SOURCE_REALTIME_TIMESTAMP":"1795328328531900"}
        """#

    @Test("a journalctl -o json entry maps to the SPEC §4 labels, message and time")
    func unitFailure() throws {
        #expect(try detectedFormat(Self.unitFailed) == .journal)
        let events = try decode(Self.unitFailed, source: .spool)
        try #require(events.count == 1)
        let event = events[0]
        #expect(
            event.labels == [
                "source": "journal", "host": "web1", "unit": "nginx.service", "identifier": "systemd",
                "priority": "3", "severity": "error", "message_id": "d9b373ed55a64feb8242e02dbe79a49c",
            ])
        // The message, and the fields journald sets itself (which rules may trust), under their annotation names.
        #expect(
            event.annotations == [
                "message": "nginx.service: Failed with result 'exit-code'.", "uid": "0", "comm": "systemd",
                "exe": "/usr/lib/systemd/systemd", "transport": "journal", "systemd_unit": "init.scope",
            ])
        #expect(event.status == .firing)
        #expect(event.startsAt == Timestamp(microseconds: captureSecond + 531_944))
        #expect(event.endsAt == nil)
        #expect(event.receivedAt == received)
    }

    @Test("whatever carried it, a journal entry's source is journal", arguments: EventSource.allCases)
    func sourceIsJournal(carrier: EventSource) throws {
        let event = try #require(try decode(Self.unitFailed, source: carrier).first)
        #expect(event.source == .journal)
        #expect(event.labels["source"] == "journal")
        #expect(event.value(for: "source") == "journal")
    }

    @Test("the mapping reads only JournalEntryMapper.fields")
    func onlyListedFields() throws {
        let all = try #require(try JSONSerialization.jsonObject(with: Data(Self.unitFailed.utf8)) as? [String: String])
        let listed = all.filter { JournalEntryMapper.fields.contains($0.key) }
        #expect(listed.count < all.count)
        #expect(
            try JournalEntryMapper.event(fields: all, receivedAt: received)
                == JournalEntryMapper.event(fields: listed, receivedAt: received))
    }

    /// The slots the journal source reads into hold exactly the mapped fields, by the journal's names.
    @Test func slotsHoldTheMappedFieldsByName() throws {
        #expect(
            JournalEntryMapper.fields == [
                "_HOSTNAME", "UNIT", "USER_UNIT", "_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "PRIORITY", "MESSAGE_ID",
                "MESSAGE", "__REALTIME_TIMESTAMP", "_UID", "_EXE", "_COMM", "_TRANSPORT",
            ])
        var all: [String: String] = ["CODE_FILE": "main.c", "_PID": "12"]
        for (index, name) in JournalEntryMapper.fields.enumerated() { all[name] = "value \(index)" }
        all["__REALTIME_TIMESTAMP"] = "1700000000000000"
        let fields = JournalFields(all)
        #expect(fields.dictionary == all.filter { JournalEntryMapper.fields.contains($0.key) })
        #expect(fields[.message] == "value 7" && fields[.transport] == "value 12")
        var set = JournalFields()
        for slot in JournalFields.Slot.allCases { set[slot] = all[slot.name] }
        #expect(set == fields)
        #expect(
            try JournalEntryMapper.event(fields: set, receivedAt: received)
                == JournalEntryMapper.event(fields: all, receivedAt: received))
    }

    @Test(
        "PRIORITY maps to severity: 0–2 critical, 3 error, 4 warning, 5–7 info",
        arguments: [
            ("0", "0", "critical"), ("1", "1", "critical"), ("2", "2", "critical"), ("3", "3", "error"),
            ("4", "4", "warning"), ("5", "5", "info"), ("6", "6", "info"), ("7", "7", "info"),
        ])
    func priorityToSeverity(priority: String, label: String, severity: String) throws {
        let event = try JournalEntryMapper.event(fields: ["MESSAGE": "m", "PRIORITY": priority], receivedAt: received)
        #expect(event.labels["priority"] == label)
        #expect(event.labels["severity"] == severity)
        #expect(JournalEntryMapper.severity(priority: Int(priority)!) == severity)
    }

    @Test(
        "a missing or unreadable PRIORITY counts as 6 (info); out-of-range values are clamped to 0...7",
        arguments: [
            (nil, "6", "info"), ("", "6", "info"), ("high", "6", "info"), ("3.5", "6", "info"),
            ("9", "7", "info"), ("-1", "0", "critical"),
        ] as [(String?, String, String)])
    func oddPriorities(priority: String?, label: String, severity: String) throws {
        var fields = ["MESSAGE": "m"]
        fields["PRIORITY"] = priority
        let event = try JournalEntryMapper.event(fields: fields, receivedAt: received)
        #expect(event.labels["priority"] == label)
        #expect(event.labels["severity"] == severity)
    }

    /// UNIT, USER_UNIT, _SYSTEMD_UNIT → the unit label.
    static let units: [(String?, String?, String?, String?)] = [
        ("nginx.service", "pipewire.service", "init.scope", "nginx.service"),
        ("nginx.service", nil, "init.scope", "nginx.service"),
        (nil, "pipewire.service", "user@1000.service", "pipewire.service"),
        (nil, nil, "sshd.service", "sshd.service"),
        (nil, nil, nil, nil),
        // An empty field is no unit: fall through to the next one.
        ("", "pipewire.service", "user@1000.service", "pipewire.service"),
        ("", "", "sshd.service", "sshd.service"),
        ("", "", "", nil),
    ]

    @Test("unit comes from UNIT, else USER_UNIT, else _SYSTEMD_UNIT", arguments: units)
    func unitPrecedence(unit: String?, userUnit: String?, systemdUnit: String?, expected: String?) throws {
        var fields = ["MESSAGE": "m"]
        fields["UNIT"] = unit
        fields["USER_UNIT"] = userUnit
        fields["_SYSTEMD_UNIT"] = systemdUnit
        let event = try JournalEntryMapper.event(fields: fields, receivedAt: received)
        #expect(event.labels["unit"] == expected)
    }

    @Test("a byte-array MESSAGE (how journalctl prints non-UTF-8 values) is decoded")
    func byteArrayMessage() throws {
        // "disk é" then a lone 0xFF, which becomes U+FFFD rather than failing the entry.
        let json = #"""
            {"__REALTIME_TIMESTAMP":"1795328328000000","_HOSTNAME":"db1","SYSLOG_IDENTIFIER":"kernel","PRIORITY":"2",
             "MESSAGE":[100,105,115,107,32,195,169,32,255]}
            """#
        #expect(try detectedFormat(json) == .journal)
        let event = try #require(try decode(json).first)
        #expect(event.annotations["message"] == "disk é \u{FFFD}")
        #expect(event.labels["severity"] == "critical")
        #expect(event.labels["identifier"] == "kernel")
    }

    @Test("a field journalctl prints as an array of values takes the first")
    func multiValuedField() throws {
        let json = #"{"MESSAGE":"m","SYSLOG_IDENTIFIER":["sshd","sshd-session"],"_HOSTNAME":"h"}"#
        let event = try #require(try decode(json).first)
        #expect(event.labels["identifier"] == "sshd")
    }

    @Test("without __REALTIME_TIMESTAMP the event's time is its arrival")
    func noRealtime() throws {
        let event = try JournalEntryMapper.event(fields: ["MESSAGE": "m"], receivedAt: received)
        #expect(event.startsAt == received)
        #expect(event.labels == ["source": "journal", "priority": "6", "severity": "info"])
    }

    @Test("empty host, identifier and message_id are left out")
    func emptyFields() throws {
        let event = try JournalEntryMapper.event(
            fields: ["MESSAGE": "", "_HOSTNAME": "", "SYSLOG_IDENTIFIER": "", "MESSAGE_ID": "", "PRIORITY": "4"],
            receivedAt: received)
        #expect(event.labels == ["source": "journal", "priority": "4", "severity": "warning"])
        #expect(event.annotations == ["message": ""])
    }

    @Test(
        "entries that cannot be mapped are refused with a reason",
        arguments: [
            (["_HOSTNAME": "h", "PRIORITY": "3"], "no-message", "no MESSAGE"),
            (["MESSAGE": "m", "__REALTIME_TIMESTAMP": "yesterday"], "bad-time", "__REALTIME_TIMESTAMP 'yesterday'"),
            (["MESSAGE": "m", "__REALTIME_TIMESTAMP": ""], "bad-time", "__REALTIME_TIMESTAMP ''"),
        ])
    func unmappable(fields: [String: String], code: String, fragment: String) {
        do {
            let event = try JournalEntryMapper.event(fields: fields, receivedAt: received)
            Issue.record("mapped to \(event.labels)")
        } catch {
            #expect(error.code == code)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }
}
