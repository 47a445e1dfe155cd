// replay.sh's check of the leak detection every target runs under: built with the targets' flags,
// it fuzzes for a few runs twice.
//
// - As is, each input leaves one more weakly referenced object alive (held by a global, as a
//   store is held for a moment by the thread that used it). LeakSanitizer cannot see a side
//   table's tagged address, so without lsan-suppressions.txt this run reports a leak that is not
//   one; with it, the run must pass.
// - With PROBE_LEAK set, each input leaks an object for real, and the run must report it: the
//   suppression hides only side tables.

import Glibc

private final class Probe {
    var value = 1
}

nonisolated(unsafe) private var alive: [Probe] = []

@_cdecl("LLVMFuzzerTestOneInput")
public func leakCheckProbe(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let probe = Probe()
    if getenv("PROBE_LEAK") != nil {
        _ = Unmanaged.passRetained(probe)
    } else {
        let readWeakly = { [weak probe] in _ = probe?.value }
        readWeakly()
        alive.append(probe)
    }
    return 0
}
