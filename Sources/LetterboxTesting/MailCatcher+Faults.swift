import Foundation
public import Letterbox
public import LetterboxFaults

extension MailCatcher {
    /// Makes matching SMTP attempts fail, stall or drop the connection; returns the rule's id.
    ///
    /// ```swift
    /// mail.fail(.rcpt("bounce@example.com"), with: .mailboxUnavailable)      // 550 5.1.1 every time
    /// mail.fail(.mail(), with: .localError, times: 2)                        // 451 twice, then accepted
    /// mail.fail(.data(), with: .delay(.seconds(30)))                         // acknowledged 30 s late
    /// mail.fail(.data(to: "ana@example.com"), with: .drop)                   // connection cut, nothing stored
    /// ```
    /// - Parameters: `times`: the rule expires after acting this often; `probability` (0 < p ≤ 1)
    ///   with `seed` faults a reproducible share of the attempts.
    @discardableResult
    public func fail(
        _ trigger: FaultTrigger, with action: FaultAction, times: Int? = nil, probability: Double? = nil,
        seed: UInt64? = nil
    ) -> Int {
        faults.add(FaultRule(trigger, action, times: times, probability: probability, seed: seed))
    }

    /// Removes the fault rule with `id` (from ``fail(_:with:times:probability:seed:)``).
    public func removeFault(_ id: Int) { faults.remove(id: id) }

    /// Removes every fault rule.
    public func removeAllFaults() { faults.removeAll() }
}

extension RemoteMailCatcher {
    /// Adds a fault rule on the remote catcher (`POST /faults`); returns its id. See
    /// ``MailCatcher/fail(_:with:times:probability:seed:)``.
    ///
    /// - Throws: ``Failure`` when the catcher refuses the rule or cannot be reached.
    @discardableResult
    public func fail(
        _ trigger: FaultTrigger, with action: FaultAction, times: Int? = nil, probability: Double? = nil,
        seed: UInt64? = nil
    ) async throws -> Int {
        let rule = FaultRule(trigger, action, times: times, probability: probability, seed: seed)
        let (data, status) = try await request("POST", path: "/faults", query: [], body: Data(rule.description.utf8))
        let text = String(decoding: data, as: UTF8.self)
        guard status == 201, let id = text.split(separator: "\t").first.flatMap({ Int($0) }) else {
            throw Failure(description: "POST /faults '\(rule)' answered \(status): \(text)")
        }
        return id
    }

    /// Removes the fault rule with `id` (`DELETE /faults/{id}`).
    public func removeFault(_ id: Int) async throws {
        let (data, status) = try await request("DELETE", path: "/faults/\(id)", query: [])
        guard status == 200 else {
            throw Failure(
                description: "DELETE /faults/\(id) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
    }

    /// Removes every fault rule (`DELETE /faults`).
    public func removeAllFaults() async throws {
        let (_, status) = try await request("DELETE", path: "/faults", query: [])
        guard status == 200 else { throw Failure(description: "DELETE /faults answered \(status)") }
    }
}
