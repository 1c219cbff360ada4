import Foundation
import HubCore
import Hummingbird

extension MonitorService {
    /// `GET /statistics?period=…&enterprise=…`: the statistics page, made off the event loop.
    static func statistics(_ request: Request, _ page: StatisticsPage?) async throws -> Response {
        guard let page else {
            return try json(MonitorError(error: "this hub serves no statistics page"), status: .notFound)
        }
        let text = request.uri.queryParameters["period"].map(String.init) ?? String(CivilDay(microseconds: nowUs()).iso.prefix(7))
        guard let period = TradeReport.Period(text) else {
            return try json(
                MonitorError(error: "period '\(text)' is not a month (2026-11), a quarter (2026-Q4) or a day (2026-11-05)"),
                status: .badRequest)
        }
        let enterprise = request.uri.queryParameters["enterprise"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let enterprise, enterprise.count > 64 {
            return try json(MonitorError(error: "an enterprise code is at most 64 characters"), status: .badRequest)
        }
        do {
            let html = try await offPool { try page(period, enterprise) }
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        } catch {
            return try json(MonitorError(error: "statistics failed: \(error)"), status: .internalServerError)
        }
    }

    private static func nowUs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}
