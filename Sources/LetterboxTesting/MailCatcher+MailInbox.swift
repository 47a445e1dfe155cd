import Letterbox

extension MailCatcher: MailInbox {
    public func messages(_ criteria: MailCriteria) async throws -> [CapturedMail] {
        store.messages(matching: criteria.filter).map(CapturedMail.init).filter(criteria.matches)
    }

    public func waitForMessages(_ count: Int, _ criteria: MailCriteria, timeout: Duration) async throws
        -> [CapturedMail]
    {
        // Subscribe before looking, so nothing that arrives in between is missed.
        let changes = store.changes()
        var found = try await messages(criteria)
        if found.count >= count { return Array(found.prefix(count)) }
        let alreadySeen = Set(found.map(\.id))
        let outcome = await withTaskGroup(of: [CapturedMail]?.self) { group in
            group.addTask { [found] in
                var found = found
                var seen = alreadySeen
                for await change in changes {
                    guard case .added(let id) = change, !seen.contains(id), let message = self.store.message(id: id)
                    else { continue }
                    seen.insert(id)
                    let mail = CapturedMail(message)
                    if criteria.matches(mail) { found.append(mail) }
                    if found.count >= count { return found }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let outcome { return Array(outcome.prefix(count)) }
        found = try await messages(criteria)
        if found.count >= count { return Array(found.prefix(count)) }
        throw MailExpectationFailure(
            expected: criteria.description, waited: timeout, found: found.count, wanted: count,
            seen: messages.map { CapturedMail($0).description })
    }

    @discardableResult
    public func deleteMessages(_ criteria: MailCriteria) async throws -> Int {
        store.remove(ids: try await messages(criteria).map(\.id))
    }
}
