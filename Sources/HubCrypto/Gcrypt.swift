internal import CGcrypt

/// libgcrypt, initialised once per process before its first use.
///
/// libgcrypt must be initialised before any other call and only once; it is thread-safe
/// after that. ``ready`` runs the initialisation on first access (Swift runs a static
/// `let` initialiser exactly once, under a lock).
enum Gcrypt {
    /// The library's version, or `nil` when it is older than 1.9 (no SM4).
    static let version: String? = {
        guard let version = swhub_gcry_initialize() else {
            return nil
        }
        return String(cString: version)
    }()

    /// Initialises the library if not yet done; throws when it cannot serve SM3 and SM4.
    static func ready() throws(CryptoError) {
        guard let version else {
            throw CryptoError(.libraryUnavailable, "libgcrypt 1.9 or later is needed for SM3 and SM4 (Debian: libgcrypt20)")
        }
        _ = version
    }
}
