import Foundation
import HubCore
import Hummingbird

/// Who may read the monitor: everyone who presents the bearer token of `monitor.token_file`
/// (a monitor without a token listens on a loopback address only, which the config checks).
///
/// A request is let in with `Authorization: Bearer <token>` (Prometheus, curl) or with the
/// cookie `swhub_monitor=<token>` (the browser page and its event stream). Opening
/// `/?token=<token>` once sets that cookie (HttpOnly, SameSite=Strict) and redirects to the
/// same page without the token in its address. Anything else gets 401 with a JSON reason.
public struct MonitorAccess<Context: RequestContext>: RouterMiddleware {
    /// The cookie the browser keeps the token in.
    static var cookieName: String { "swhub_monitor" }

    private let token: [UInt8]

    /// - Parameter token: the token every request must present.
    public init(token: String) {
        self.token = Array(token.utf8)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let offered = request.uri.queryParameters["token"] {
            guard matches(String(offered)) else { return Self.refusal("the token in the address is wrong") }
            // Keep the token out of the address bar and the history: set it as a cookie and
            // reload the same page without it.
            var response = Response(status: .seeOther, headers: [.location: Self.address(of: request, without: "token")])
            response.setCookie(
                Cookie(name: Self.cookieName, value: String(decoding: token, as: UTF8.self), path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer", matches(String(parts[1])) else {
                return Self.refusal("the Authorization header does not carry the monitor's bearer token")
            }
            return try await next(request, context)
        }
        if let cookie = request.cookies[Self.cookieName] {
            guard matches(cookie.value) else { return Self.refusal("the monitor cookie is out of date: open /?token=…") }
            return try await next(request, context)
        }
        return Self.refusal("this monitor needs its token: Authorization: Bearer …, or open /?token=… once in a browser")
    }

    /// Compares in time independent of where the first difference is.
    private func matches(_ offered: String) -> Bool {
        let bytes = Array(offered.utf8)
        guard bytes.count == token.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(bytes, token) { difference |= a ^ b }
        return difference == 0
    }

    /// The request's path and query without the parameter `name`.
    static func address(of request: Request, without name: String) -> String {
        let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("\(name)=") && $0 != Substring(name) }
        return request.uri.path + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    static func refusal(_ reason: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes((try? MonitorService.encoder.encode(MonitorError(error: reason))) ?? Data())
        return Response(
            status: .unauthorized,
            headers: [.contentType: "application/json", .wwwAuthenticate: "Bearer realm=\"swhub monitor\""],
            body: .init(byteBuffer: buffer))
    }
}
