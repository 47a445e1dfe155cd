/// THREAD=REFERENCES (RFC 5256 §4, "REFERENCES"): messages linked by Message-ID, References and
/// In-Reply-To into trees, with dummies for the parents that are not in the set; the roots then
/// merged by base subject, every set of siblings ordered by sent date.
struct ReferencesThreading {
    /// A container (RFC 5256 calls them "messages"): one of the items, or a dummy.
    private struct Node {
        /// The position in the items; nil for a dummy.
        var item: Int?
        var parent: Int?
        var children: [Int] = []
    }

    private let items: [ThreadOrder.Item]
    private let headers: [ThreadingHeaders]
    private var nodes: [Node] = []

    /// `items` in sequence order, with what threading reads of each.
    init(_ items: [ThreadOrder.Item], headers: [ThreadingHeaders]) {
        self.items = items
        self.headers = headers
    }

    /// The threads, in the order RFC 5256 §4 step 6 gives them.
    mutating func threads() -> [MessageThread] {
        link()
        var roots = nodes.indices.filter { nodes[$0].parent == nil }
        roots = prune(roots, atRoot: true)
        roots = sortedByDate(roots, deep: false)
        roots = mergedBySubject(roots)
        roots = sortedByDate(roots, deep: true)
        return roots.map(thread)
    }

    // MARK: Step 1: links

    private mutating func link() {
        var byID: [String: Int] = [:]
        func container(_ id: String) -> Int {
            if let node = byID[id] { return node }
            nodes.append(Node())
            byID[id] = nodes.count - 1
            return nodes.count - 1
        }
        for (position, header) in headers.enumerated() {
            // (A) A message without a Message-ID, or whose Message-ID a message earlier in the
            // mailbox already has, gets a container of its own.
            let own: Int
            if let id = header.messageID, let node = byID[id], nodes[node].item == nil {
                own = node
            } else if let id = header.messageID, byID[id] == nil {
                own = container(id)
            } else {
                nodes.append(Node())
                own = nodes.count - 1
            }
            nodes[own].item = position
            // (B) Each reference the child of the one before it, unless already linked or a loop.
            let chain = header.references.map(container)
            for (parent, child) in zip(chain, chain.dropFirst()) where nodes[child].parent == nil {
                if parent != child && !isDescendant(parent, of: child) { attach(child, to: parent) }
            }
            // (C) The message the child of its last reference, replacing an earlier link.
            if let parent = nodes[own].parent { detach(own, from: parent) }
            if let last = chain.last, last != own, !isDescendant(last, of: own) { attach(own, to: last) }
        }
    }

    /// Whether `ancestor` is above `node`. Most messages have no children when they are linked:
    /// then nothing is below them and no walk is needed.
    private func isDescendant(_ node: Int, of ancestor: Int) -> Bool {
        guard !nodes[ancestor].children.isEmpty else { return false }
        var current = nodes[node].parent
        var steps = 0
        while let next = current, steps <= nodes.count {
            if next == ancestor { return true }
            current = nodes[next].parent
            steps += 1
        }
        return false
    }

    private mutating func attach(_ child: Int, to parent: Int) {
        nodes[child].parent = parent
        nodes[parent].children.append(child)
    }

    private mutating func detach(_ child: Int, from parent: Int) {
        nodes[child].parent = nil
        nodes[parent].children.removeAll { $0 == child }
    }

    // MARK: Step 3: dummies

    /// Dummies without children go; a dummy's children take its place, except that at the root a
    /// dummy with several children stays (step 3).
    private mutating func prune(_ siblings: [Int], atRoot: Bool) -> [Int] {
        var kept: [Int] = []
        for node in siblings {
            let children = prune(nodes[node].children, atRoot: false)
            nodes[node].children = children
            for child in children { nodes[child].parent = node }
            guard nodes[node].item == nil else {
                kept.append(node)
                continue
            }
            if children.isEmpty { continue }
            if atRoot && children.count > 1 {
                kept.append(node)
            } else {
                for child in children { nodes[child].parent = atRoot ? nil : nodes[node].parent }
                kept += children
            }
        }
        return kept
    }

    // MARK: Steps 4 and 6: order

    /// The item that stands for `node` when ordering and merging: its own, or a dummy's first
    /// child's (its children sorted first).
    private func representative(_ node: Int) -> Int? {
        if let item = nodes[node].item { return item }
        return nodes[node].children.first.flatMap(representative)
    }

    private func dateKey(_ node: Int) -> (SortOrder.Value, Int)? {
        representative(node).map { (headers[$0].date, items[$0].sequence) }
    }

    /// `siblings` by sent date, ties by sequence number (§2.2); a dummy's children are sorted
    /// first, and with `deep`, every level below too.
    private mutating func sortedByDate(_ siblings: [Int], deep: Bool) -> [Int] {
        for node in siblings where deep || nodes[node].item == nil {
            nodes[node].children = sortedByDate(nodes[node].children, deep: deep)
        }
        return siblings.sorted { a, b in
            guard let left = dateKey(a), let right = dateKey(b) else { return false }
            return left.0 != right.0 ? left.0 < right.0 : left.1 < right.1
        }
    }

    // MARK: Step 5: subjects

    private func subject(_ node: Int) -> (text: String, isReply: Bool)? {
        guard let item = representative(node), !headers[item].subject.isEmpty else { return nil }
        return (headers[item].subject, headers[item].isReplyOrForward)
    }

    private func isDummy(_ node: Int) -> Bool { nodes[node].item == nil }

    private mutating func mergedBySubject(_ roots: [Int]) -> [Int] {
        // (B) One root per subject: a dummy before a message, a message that is not a reply
        // before one that is.
        var table: [String: Int] = [:]
        for root in roots {
            guard let (text, isReply) = subject(root) else { continue }
            guard let held = table[text] else {
                table[text] = root
                continue
            }
            let heldIsReply = subject(held)?.isReply ?? false
            if !isDummy(held) && (isDummy(root) || (heldIsReply && !isReply)) { table[text] = root }
        }
        // (C) The other roots of a subject join the one in the table.
        var result = roots
        for root in roots {
            guard let (text, isReply) = subject(root), let held = table[text], held != root else { continue }
            guard let position = result.firstIndex(of: root) else { continue }
            let heldIsReply = subject(held)?.isReply ?? false
            if isDummy(held) && isDummy(root) {
                for child in nodes[root].children { attach(child, to: held) }
                nodes[root].children = []
                result.remove(at: position)
            } else if isDummy(held) || (isReply && !heldIsReply) {
                result.remove(at: position)
                attach(root, to: held)
            } else {
                nodes.append(Node())
                let dummy = nodes.count - 1
                result.remove(at: position)
                if let heldPosition = result.firstIndex(of: held) { result[heldPosition] = dummy }
                attach(held, to: dummy)
                attach(root, to: dummy)
                table[text] = dummy
            }
        }
        return result
    }

    // MARK: Result

    private func thread(_ node: Int) -> MessageThread {
        MessageThread(
            number: nodes[node].item.map { items[$0].number }, children: nodes[node].children.map(thread))
    }
}

extension ThreadOrder {
    /// THREAD=REFERENCES (RFC 5256 §4) of `items`, given in sequence order.
    static func references(_ items: [Item]) -> [MessageThread] {
        var threading = ReferencesThreading(items, headers: items.map { ThreadingHeaders($0.message) })
        return threading.threads()
    }
}
