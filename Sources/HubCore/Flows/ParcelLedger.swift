import HubProtocol

/// The flows' memory of parcels, each named by its waybill's (`logistics_code`,
/// `logistics_no`) (FlowEngine+Parcels.swift): what arrivals (运抵, CEB507), departures
/// (离境, CEB509) and waybill statuses (CEB513) said about it and customs' receipts for
/// them (a declaration's history); which departure lists it; and, for
/// `flows.declaration.after_release_days` after its release, the released declaration's
/// compact record (inventory number, filers, direction, history) with, for an export whose
/// parcel has not departed, its summary candidate held back.
///
/// A value: the engine's events in, what changed out. Everything it keeps is dropped
/// `after_release_days` after it was recorded (``dropOlder(than:)``): a parcel's history
/// and released record after its release (or after its first event when it was never
/// released), an arrival or departure filing after it was filed. A parcel keeps its latest
/// ``historyLimit`` events.
public struct ParcelLedger: Sendable {
    /// One event of a parcel's history (proto ``BizDeclarationEvent``).
    public struct Event: Sendable, Equatable, Codable {
        public var kind: String
        public var document: String
        public var id: String
        public var filer: String
        public var time: String
        public var status: String
        public var info: String
        public var atUs: Int64

        /// The event as the feedback carries it.
        public var message: BizDeclarationEvent {
            var event = BizDeclarationEvent()
            event.kind = kind
            event.document = document
            event.id = id
            event.filer = filer
            event.time = time
            event.status = status
            event.info = info
            event.atUs = atUs
            return event
        }
    }

    /// A released export's summary candidate, as the engine keeps one (``FlowEngine/released``).
    struct Candidate: Sendable, Equatable, Codable {
        var item: SummaryAggregator.Released
        var payer: String
        var filer: String
    }

    /// A released declaration's compact record.
    public struct Released: Sendable, Equatable, Codable {
        /// The inventory number customs released.
        public var invtNo: String
        /// The declaration's inventory (filer and id).
        public var inventory: FlowKey
        /// Every filer of the declaration's four documents.
        public var filers: [String]
        /// "I" or "E".
        public var ieFlag: String
        /// When customs released it, µs since the epoch (journal time).
        public var releasedAtUs: Int64
        /// An export's summary candidate while its parcel has not departed (once it
        /// departed, the engine's candidates hold it until a summary takes it).
        var waiting: Candidate?

        /// Whether the export waits for its departure before it can be summarized.
        public var waitsForDeparture: Bool { waiting != nil }
    }

    /// An arrival or a departure: the parcels it lists.
    struct Filing: Sendable, Equatable, Codable {
        var document: String
        var filer: String
        var id: String
        var logisticsCode: String
        var logisticsNos: [String]
        /// When it was filed, µs since the epoch (journal time).
        var atUs: Int64
    }

    /// What ages out.
    enum Aged: Sendable, Equatable, Codable {
        case history(String)
        case released(String)
        case filing(String)
    }

    /// Most events kept per parcel (the oldest go first).
    public static let historyLimit = 100

    var history: [String: [Event]] = [:]
    var released: [String: Released] = [:]
    var filings: [String: Filing] = [:]
    var filingIds: [String: String] = [:]  // filing id → filing key, for receipts by correlation
    var departed: [String: String] = [:]  // parcel → the departure filing listing it
    var aging = AgingQueue<Aged>()

    public init() {}

    /// The key of a parcel.
    static func parcel(_ logisticsCode: String, _ logisticsNo: String) -> String {
        SnapshotKey(parts: [logisticsCode, logisticsNo]).stringValue
    }

    /// The key of an arrival or departure filing: its type, `logistics_code` and `cop_no`.
    static func filing(_ document: String, _ logisticsCode: String, _ copNo: String) -> String {
        SnapshotKey(parts: [document, logisticsCode, copNo]).stringValue
    }

    /// The parcel's history, oldest first.
    func events(_ parcel: String) -> [Event] { history[parcel] ?? [] }

    /// Adds an event to the parcel's history.
    mutating func record(_ event: Event, parcel: String) {
        if history[parcel] == nil { aging.append(.history(parcel), atUs: event.atUs) }
        var events = history[parcel] ?? []
        events.append(event)
        if events.count > Self.historyLimit { events.removeFirst(events.count - Self.historyLimit) }
        history[parcel] = events
    }

    /// A declaration was released: its record, kept `after_release_days`.
    mutating func release(_ record: Released, parcel: String) {
        released[parcel] = record
        aging.append(.released(parcel), atUs: record.releasedAtUs)
    }

    /// Files an arrival or departure (replacing the one with the same key); returns the
    /// parcels the one it replaced listed.
    mutating func file(_ filing: Filing, key: String) -> [String] {
        let replaced = filings[key]
        if let replaced, filingIds[replaced.id] == key { filingIds[replaced.id] = nil }
        filings[key] = filing
        filingIds[filing.id] = key
        aging.append(.filing(key), atUs: filing.atUs)
        return replaced?.logisticsNos ?? []
    }

    /// Removes a filing; returns it.
    mutating func remove(filing key: String) -> Filing? {
        guard let filing = filings.removeValue(forKey: key) else { return nil }
        if filingIds[filing.id] == key { filingIds[filing.id] = nil }
        return filing
    }

    /// Drops what was recorded before `cutoffUs`.
    mutating func dropOlder(than cutoffUs: Int64) {
        guard let oldest = aging.oldestUs, oldest < cutoffUs else { return }
        for aged in aging.dropOlder(than: cutoffUs) {
            switch aged {
            case .history(let parcel):
                if released[parcel] == nil { history[parcel] = nil }
            case .released(let parcel):
                // A later release of the same parcel (a declaration filed again) keeps its own.
                guard let record = released[parcel], record.releasedAtUs < cutoffUs else { continue }
                released[parcel] = nil
                history[parcel] = nil
            case .filing(let key):
                // A filing that replaced it later keeps its own time.
                guard let filed = filings[key], filed.atUs < cutoffUs, let filing = remove(filing: key) else { continue }
                for number in filing.logisticsNos {
                    let parcel = Self.parcel(filing.logisticsCode, number)
                    if departed[parcel] == key { departed[parcel] = nil }
                }
            }
        }
    }
}

/// The ledger in a snapshot.
extension ParcelLedger: Codable {}

extension ParcelLedger {
    /// The parcels a journaled arrival, departure or waybill status names: its
    /// `logistics_code` and `logistics_no`s; nil for other types or a body that is not the
    /// type's message.
    ///
    /// - Parameters:
    ///   - type: The hub message type.
    ///   - body: The message's body.
    public static func parcels(type: String, body: [UInt8]) -> (logisticsCode: String, logisticsNos: [String])? {
        switch type {
        case MessageType.arrival:
            guard let arrival = try? BizArrival(serializedBytes: body) else { return nil }
            return (arrival.logisticsCode, arrival.arrivalList.map(\.logisticsNo))
        case MessageType.departure:
            guard let departure = try? BizDeparture(serializedBytes: body) else { return nil }
            return (departure.logisticsCode, departure.departureList.map(\.logisticsNo))
        case MessageType.waybillStatus:
            guard let status = try? BizWaybillStatus(serializedBytes: body) else { return nil }
            return (status.logisticsCode, [status.logisticsNo])
        default:
            return nil
        }
    }

    /// The history event of a journaled arrival, departure, waybill status or customs
    /// receipt as it stands in the journal, for displays that read the journal (`swhub
    /// status`); nil for other types.
    ///
    /// - Parameters:
    ///   - type: The hub message type.
    ///   - sender: Who filed it.
    ///   - id: Its id.
    ///   - body: Its body.
    ///   - atUs: When it was journaled.
    public static func event(type: String, sender: String, id: String, body: [UInt8], atUs: Int64) -> BizDeclarationEvent? {
        var event = BizDeclarationEvent()
        event.document = type
        event.id = id
        event.filer = sender
        event.atUs = atUs
        switch type {
        case MessageType.arrival:
            guard let arrival = try? BizArrival(serializedBytes: body) else { return nil }
            (event.kind, event.time, event.info) = ("arrived", arrival.appTime, arrival.note)
        case MessageType.departure:
            guard let departure = try? BizDeparture(serializedBytes: body) else { return nil }
            event.kind = departure.appType == .delete ? "departure_withdrawn" : "departed"
            (event.time, event.info) = (departure.leaveTime, departure.note)
        case MessageType.waybillStatus:
            guard let status = try? BizWaybillStatus(serializedBytes: body) else { return nil }
            (event.kind, event.time, event.status, event.info) = (
                "waybill_status", status.logisticsTime, status.logisticsStatus, status.note
            )
        case MessageType.receipt:
            guard let receipt = try? BizReceipt(serializedBytes: body) else { return nil }
            let refused = receipt.messageType.hasPrefix("CEB510") && receipt.status == .rejected
            event.kind = refused ? "departure_refused" : "receipt"
            (event.time, event.status, event.info) = (receipt.returnTime, String(receipt.returnStatus), receipt.returnInfo)
        default:
            return nil
        }
        return event
    }
}
