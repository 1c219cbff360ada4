/// What the writer puts into a required element the body leaves empty (listed in
/// ``CEBWriter``'s documentation), and the guid of a message.
extension CEBWriter {
    /// The 36-character guid of a message: `guid` itself when it is 36 characters XML
    /// allows; otherwise an upper-case UUID-shaped id derived from it by a stable hash
    /// (the same `guid` gives the same id in every process).
    /// - Throws: `.missingField` when `guid` is empty.
    public static func messageGuid(_ guid: String) throws(FormatError) -> String {
        guard !guid.isEmpty else { throw FormatError(.missingField, "the message guid is empty") }
        if guid.unicodeScalars.count == 36, XMLTextWriter.isAllowed(guid) { return guid }
        func hash(_ basis: UInt64) -> UInt64 {
            var value = basis
            for byte in guid.utf8 {
                value ^= UInt64(byte)
                value &*= 0x0000_0100_0000_01b3
            }
            // SplitMix64 finaliser: every output bit depends on every input byte.
            value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
            value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
            return value ^ (value >> 31)
        }
        let hex = [hash(0xcbf2_9ce4_8422_2325), hash(0x84222325_cbf29ce4)].map { word in
            let digits = String(word, radix: 16, uppercase: true)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
        let cuts = [8, 4, 4, 4, 12]
        var parts: [Substring] = []
        var rest = Substring(hex)
        for cut in cuts {
            parts.append(rest.prefix(cut))
            rest = rest.dropFirst(cut)
        }
        return parts.joined(separator: "-")
    }

    /// Element values for one message: the body's value, or the default, checked against the XSD.
    struct Fill {
        let binding: CEBBinding
        let direction: CEBSchema.Direction
        let guid: String
        let appTime: String

        /// The text to write for `element` given the body's `raw` value; nil to leave an
        /// optional element out.
        /// - Throws: `.missingField` at `location` for an empty required element without a
        ///   default, `.invalidValue` for a value that breaks the element's facets.
        func value(of element: CEBElement, _ raw: String, at location: String) throws(FormatError) -> String? {
            var value = raw.isEmpty ? (defaultValue(element) ?? "") : raw
            if element.name == "startTime" || element.name == "endTime", value.count == 8, value.allSatisfy(\.isASCIIDigitCharacter) {
                value += element.name == "startTime" ? "000000" : "235959"
            }
            if value.isEmpty {
                guard element.required else { return nil }
                switch element.kind {
                case .text(0, _): return ""
                case .int: value = "0"
                default:
                    throw FormatError(
                        .missingField, at: location,
                        "\(binding.root) requires \(element.name) and the \(binding.hubType) leaves \(Self.protoName(element.fieldName)) empty"
                    )
                }
            }
            if let problem = element.facetProblem(value) {
                throw FormatError(.invalidValue, at: location, "\(problem) (\(binding.root))")
            }
            return value
        }

        private func defaultValue(_ element: CEBElement) -> String? {
            switch element.name {
            case "guid": guid
            case "appType": "1"
            case "appStatus": "2"
            case "appTime": appTime
            case "orderType", "ieFlag": binding.implied[element.fieldName]
            case "currency": direction == .import ? "142" : nil
            case "freight", "insuredFee", "discount", "taxTotal": "0"
            default: nil
            }
        }

        /// The business.proto field name of a ProtoJSON name: "buyerIdType" → "buyer_id_type".
        static func protoName(_ jsonName: String) -> String {
            var name = ""
            for character in jsonName {
                if character.isUppercase {
                    name += "_" + character.lowercased()
                } else {
                    name.append(character)
                }
            }
            return name
        }
    }
}
