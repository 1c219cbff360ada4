import Foundation

/// How paths inside a config file are read: relative to the file's own directory.
public enum ConfigPath {
    /// `path` itself if absolute, else `path` inside `base`, standardized.
    /// - Parameters:
    ///   - path: a path as written in a config file.
    ///   - base: the directory relative paths are resolved against.
    public static func resolve(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }

    /// The directory holding the file at `path`: the base its relative paths are resolved against.
    public static func directory(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
