import IncidentWeb
import Testing

@Test func moduleLinks() {
    #expect(String(describing: WebAssets.self) == "WebAssets")
}
