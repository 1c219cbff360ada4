import HubCore
import HubTestSupport

/// The hub configurations of these tests: parties enterprise, bank, customs (subscribed to
/// demo.Note) and post; types demo.Note and demo.Query; bodies up to 1024 bytes; the
/// heartbeat 500 ms, as the socket tests' `TestHub` has them.
enum TestConfig {
    /// 40 characters of the Z85 alphabet (the parser checks only alphabet and length).
    static let keys = [
        "FjO$69!cK>7:r4bTR8ub*S7&fs}}>7<>O6s5?hBR", "i/f<D?nd><@oLc*8&7{q-!SEX>WKCvnva<C^-HVA",
        "[9f+RlHj.R59?<EHI)->W8byY87D%<VANI2XJl]e", "-7rAgvOO-alVP*zhT*zRJMtjamjt#t1.(nxA0iR!",
    ]

    static func config(hub extra: [String] = []) throws -> HubConfig {
        var yaml = """
            hub:
              endpoint: tcp://127.0.0.1:5570
              key_file: hub.key
              journal: j.sqlite
              max_body_bytes: 1024
              heartbeat_ms: 500

            """
        for line in extra { yaml += "  \(line)\n" }
        yaml += """
            types: [demo.Note, demo.Query]
            parties:
              - id: enterprise
                public_key: "\(keys[0])"
              - id: bank
                public_key: "\(keys[1])"
              - id: customs
                public_key: "\(keys[2])"
                subscribes: [demo.Note]
              - id: post
                public_key: "\(keys[3])"
            """
        return try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
    }

    /// A harness over `config(hub:)` with an empty journal.
    static func harness(hub extra: [String] = []) throws -> RouterHarness {
        try RouterHarness(config: config(hub: extra))
    }
}
