/// The hub software's version, reported in WELCOME.
public enum HubVersion {
    public static let current = "0.1.0"
}
