import GatewayKit

extension ConnectorEntry {
    /// The connector file's root `reportStrategy` (the default of its devices), nil when absent.
    func rootReportStrategy() throws(ConfigError) -> ReportStrategy? {
        guard let document else { return nil }
        return try ReportStrategy.parse(in: try ConfigReader(document, file: file, path: ""))
    }
}
