/// The version `GET /api/v2/status` reports; kept in step with packaging/debian/changelog.
public enum IncidentdVersion {
    public static let version = "0.1.0"

    /// The compiler that built the daemon, where Alertmanager reports its Go version.
    public static var runtime: String {
        #if compiler(>=6.3)
            return "swift6.3"
        #elseif compiler(>=6.2)
            return "swift6.2"
        #else
            return "swift6.1"
        #endif
    }
}
