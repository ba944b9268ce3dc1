public enum GatewayVersion {
    public static let current = "0.1.0"
    /// The Python gateway release whose configuration files and wire protocol we follow.
    public static let referenceCompatibility = "3.8.5"
    /// The `Version` attribute and `gateway_version` reply. ThingsBoard's gateway pages compare
    /// it with the Python gateway's releases to choose the connector configuration format
    /// (below 3.5 they show and write the legacy one), so it is the release we are compatible with.
    public static let reportedToThingsBoard = referenceCompatibility
    /// What actually runs, published beside it (`implementation` attribute).
    public static let implementation = "swift-iot-gateway \(current)"
}
