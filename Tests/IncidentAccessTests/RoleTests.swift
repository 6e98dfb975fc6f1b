import IncidentAccess
import Testing

@Test func rolesSpellAsTheSpecSays() {
    #expect(Role.allCases.map(\.rawValue) == ["viewer", "operator", "reporter", "admin"])
}
