// The sources hand out what the decoders make (events, payload errors); their users need not name both modules.
@_exported import IncidentPayload
