import Foundation
import HubClient
import Logging

/// A small adapter as a department would write one: it connects to the hub with the key
/// pair its client config names, files one message, then prints each delivery and
/// acknowledges it once handled. Acknowledged deliveries are not delivered again: run it
/// twice and the second run resumes after the last one the first acknowledged.
@main
struct RegisterAndListen {
    static func main() async {
        do {
            try await run(Options(Array(CommandLine.arguments.dropFirst())))
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("error: \(error)\n\(Options.usage)\n".utf8))
            exit(2)
        } catch let error as HubClientError where error.code == .rejected {
            // The hub's code says whether trying again later can help (3xx) or not (4xx).
            FileHandle.standardError.write(Data("refused by the hub (\(error.hubCode.map { "\($0)" } ?? "?")): \(error)\n".utf8))
            exit(1)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: Options) async throws {
        var logger = Logger(label: "register-and-listen")
        logger.logLevel = .notice
        // Keys and endpoint from files: the client config names the hub's public key file and
        // this party's key pair file (NAME.key_secret, as `swhub keygen` writes it).
        var configuration = try HubClientConfiguration.load(path: options.config)
        configuration.receive = true
        let client = try HubClient(configuration: configuration, logger: logger)
        defer { client.close() }
        // SIGINT/SIGTERM close the client: `deliveries` ends and the last acknowledgements are sent.
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { client.close() }
            source.resume()
            return source
        }
        defer {
            for source in signals { source.cancel() }
        }

        let welcome = try await client.connect(timeout: .seconds(10))
        print("connected as \(welcome.party) (hub \(welcome.hubVersion)), resuming after seq \(welcome.ackedSeq)")

        // An id derived from the content: filing the same thing again is journaled once.
        let id = options.id ?? "\(welcome.party).\(options.type).\(stableHash(options.text))"
        let receipt = try await client.submit(OutgoingMessage(type: options.type, body: Array(options.text.utf8), id: id))
        print(
            "filed \(options.type) \(receipt.id): seq \(receipt.seq), \(receipt.recipients) recipient(s)\(receipt.duplicate ? ", already journaled" : "")"
        )

        var handled = 0
        for await delivery in client.deliveries {
            // Handle the delivery durably first (here: print it), then acknowledge it.
            let text = String(decoding: delivery.body, as: UTF8.self)
            print("seq \(delivery.seq) \(delivery.type) from \(delivery.sender) [\(delivery.id)]: \(text)")
            client.acknowledge(delivery.seq)
            handled += 1
            if options.count > 0 && handled >= options.count { break }
        }
        print("handled \(handled) deliveries")
    }

    /// FNV-1a of `text`, in hex: the same text gives the same id in every run.
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
