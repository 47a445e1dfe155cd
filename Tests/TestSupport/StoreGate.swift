import Dispatch
import Synchronization

/// Where a test store holds a call (a walk of every message, a file change, a message read) until
/// the test opens the gate: the thread the call runs on stays blocked meanwhile, so what the
/// server still answers shows whether the call runs on the event loop or off it.
///
/// A call passes straight through unless the gate is armed. Each call that is held first yields
/// one element of ``entered``, so the test knows the call has reached the gate.
public final class StoreGate: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let armed: Atomic<Bool>
    private let enteredContinuation: AsyncStream<Void>.Continuation
    /// One element each time a call is held at the gate.
    public let entered: AsyncStream<Void>

    /// A gate that holds calls from the start when `armed`, else only after ``arm()``.
    public init(armed: Bool = false) {
        self.armed = Atomic(armed)
        (entered, enteredContinuation) = AsyncStream.makeStream()
    }

    /// Holds the calls that reach the gate from now on.
    public func arm() { armed.store(true, ordering: .sequentiallyConsistent) }

    /// Lets the held calls go on (up to 16 of them), and those that come later pass.
    public func open() {
        armed.store(false, ordering: .sequentiallyConsistent)
        for _ in 0..<16 { gate.signal() }
    }

    /// Called by the store where the call is to be held: blocks while the gate is armed.
    public func hold() {
        guard armed.load(ordering: .sequentiallyConsistent) else { return }
        enteredContinuation.yield()
        // Generous: only reached when the test failed and never opened the gate.
        _ = gate.wait(timeout: .now() + 60)
    }
}
