import FuzzSupport

/// The targets of this binary (the NIO-free parsers), by the name `FUZZ_TARGET` and `Fuzz/corpus/` use.
enum ParserTargets {
    static let all: [FuzzTarget] = [
        RFC3339Target.target, WebhookTarget.target, WebhookFormatTarget.target, PlainAlertTarget.target,
        JournalExportTarget.target, MatcherTarget.target, PatternTarget.target, RulesTarget.target,
        ConfigTarget.target, RuleTestTarget.target, CheckpointTarget.target, IncidentJSONTarget.target,
        HTTPReportTarget.target, SilenceTarget.target, UsersFileTarget.target, MarkdownTarget.target,
        PostgresURLTarget.target, LabelsJSONTarget.target, HTTPResponseTarget.target,
    ]
}
