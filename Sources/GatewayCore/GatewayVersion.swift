public enum GatewayVersion {
    public static let current = "0.1.0"
    /// The Python gateway release whose configuration files and wire protocol we follow.
    public static let referenceCompatibility = "3.8.5"
}
