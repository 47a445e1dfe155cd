import Synchronization

/// The in-memory part every store shares: messages by id in arrival order, id allocation,
/// waiters and observers. Stores wrap it and add their own persistence.
package final class MessageIndex: Sendable {
    private struct Waiter {
        var filter: MessageFilter
        var continuation: CheckedContinuation<Message?, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var ids: [UInt64] = []
        var byID: [UInt64: Message] = [:]
        var nextID: UInt64
        var bytes = 0
        var received = 0
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var cancelledWaiters: Set<UInt64> = []
        var observers: [UInt64: AsyncStream<StoreChange>.Continuation] = [:]
        var nextObserverID: UInt64 = 0
    }

    private let state: Mutex<State>

    package init(nextID: UInt64 = 1) {
        state = Mutex(State(nextID: nextID))
    }

    /// Assigns the next id without inserting (a disk store names its file after it first).
    package func reserveID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Inserts a message and wakes the waiters and observers it concerns.
    package func insert(_ message: Message) {
        let (woken, observers) = state.withLock { state in
            if state.ids.last.map({ $0 < message.id }) ?? true {
                state.ids.append(message.id)
            } else {
                let position = state.ids.firstIndex { $0 > message.id } ?? state.ids.count
                state.ids.insert(message.id, at: position)
            }
            state.byID[message.id] = message
            state.nextID = max(state.nextID, message.id + 1)
            state.bytes += message.size
            state.received += 1
            var woken: [Waiter] = []
            for (id, waiter) in state.waiters where waiter.filter.matches(message) {
                woken.append(waiter)
                state.waiters[id] = nil
            }
            return (woken, Array(state.observers.values))
        }
        for waiter in woken {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: message)
        }
        for observer in observers { observer.yield(.added(message.id)) }
    }

    package var all: [Message] {
        state.withLock { state in state.ids.compactMap { state.byID[$0] } }
    }

    package func messages(matching filter: MessageFilter) -> [Message] {
        let snapshot = all
        return filter.isEmpty ? snapshot : snapshot.filter(filter.matches)
    }

    package func message(id: UInt64) -> Message? { state.withLock { $0.byID[id] } }

    @discardableResult
    package func remove(ids: [UInt64]) -> [Message] {
        let (removed, observers) = state.withLock { state in
            var removed: [Message] = []
            for id in ids {
                if let message = state.byID.removeValue(forKey: id) {
                    removed.append(message)
                    state.bytes -= message.size
                }
            }
            if !removed.isEmpty {
                let gone = Set(removed.map(\.id))
                state.ids.removeAll { gone.contains($0) }
            }
            return (removed, Array(state.observers.values))
        }
        if !removed.isEmpty {
            for observer in observers { observer.yield(.removed(removed.map(\.id))) }
        }
        return removed
    }

    package func waitForMessage(matching filter: MessageFilter, timeout: Duration) async -> Message? {
        let waiterID = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Message?, Never>) in
                let found: Message?? = state.withLock { state in
                    if state.cancelledWaiters.remove(waiterID) != nil { return .some(nil) }
                    for id in state.ids {
                        if let message = state.byID[id], filter.matches(message) { return .some(message) }
                    }
                    state.waiters[waiterID] = Waiter(filter: filter, continuation: continuation, timer: nil)
                    return nil
                }
                if let found {
                    continuation.resume(returning: found)
                    return
                }
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.endWait(waiterID)
                }
                let stillWaiting = state.withLock { state -> Bool in
                    guard state.waiters[waiterID] != nil else { return false }
                    state.waiters[waiterID]?.timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        } onCancel: {
            endWait(waiterID)
        }
    }

    /// Resumes a waiter with nil (timeout or cancellation); remembers a cancellation that came first.
    private func endWait(_ waiterID: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            if let waiter = state.waiters.removeValue(forKey: waiterID) { return waiter }
            state.cancelledWaiters.insert(waiterID)
            return nil
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(returning: nil)
    }

    package func changes() -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream<StoreChange>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = state.withLock { state in
            defer { state.nextObserverID += 1 }
            state.observers[state.nextObserverID] = continuation
            return state.nextObserverID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.observers.removeValue(forKey: id) }
        }
        return stream
    }

    package var statistics: StoreStatistics {
        state.withLock { StoreStatistics(messages: $0.ids.count, bytes: $0.bytes, received: $0.received) }
    }
}
