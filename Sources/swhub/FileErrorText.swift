import Foundation

/// The reason of a Foundation file error in one line. A `CocoaError`'s own description is a
/// dump of its user info (`Error Domain=NSCocoaErrorDomain Code=4 "…" UserInfo={…}`);
/// `swhub` prints `error: <path>: <reason>` instead, the reason being the system's when
/// there is one (`No such file or directory`).
enum FileErrorText {
    /// The line for `error`, nil when it is not a Foundation file error.
    static func message(_ error: any Error) -> String? {
        guard let cocoa = error as? CocoaError else { return nil }
        let reason: String
        if let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? any Error, (underlying as NSError).domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32((underlying as NSError).code)))
        } else {
            reason = cocoa.localizedDescription
        }
        guard let path = cocoa.filePath ?? cocoa.url?.path else { return reason }
        return "\(path): \(reason)"
    }
}
