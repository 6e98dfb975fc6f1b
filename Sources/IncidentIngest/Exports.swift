// The sources hand out what the decoders make (events, payload errors) and take the journal's filters; their users
// need not name these modules too.
@_exported import IncidentJournal
@_exported import IncidentPayload
