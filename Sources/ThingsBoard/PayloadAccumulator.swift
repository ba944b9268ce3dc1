/// Builds one JSON payload of the gateway API incrementally and knows its exact size before
/// every append, so messages are split at the maximum payload size without estimating.
///
/// Shapes: `{"Dev A":[item,item],"Dev B":[item]}` (telemetry), `{"Dev A":{item,item}}`
/// (attributes, where an item is `"key":value`), or without device sections `[item,item]` /
/// `{item,item}` (the gateway's own `v1/devices/me/*` topics).
struct PayloadAccumulator {
    struct Shape {
        var rootOpen: UInt8
        var rootClose: UInt8
        /// nil when items go directly into the root.
        var sectionOpen: UInt8?
        var sectionClose: UInt8?
    }

    let shape: Shape
    let maxBytes: Int
    let maxDatapoints: Int
    /// Device sections per payload: ThingsBoard counts each as one message against the rate limits.
    let maxSections: Int
    private(set) var payload: [UInt8] = []
    private(set) var datapoints = 0
    private var currentSection: [UInt8]?
    private var itemsInSection = 0
    private var sectionsInRoot = 0

    init(shape: Shape, maxBytes: Int, maxDatapoints: Int, maxSections: Int = .max) {
        self.shape = shape
        self.maxBytes = maxBytes
        self.maxDatapoints = maxDatapoints
        self.maxSections = max(1, maxSections)
        reset()
    }

    var isEmpty: Bool { sectionsInRoot == 0 && itemsInSection == 0 }

    /// Bytes the payload would have after appending this item and closing.
    func sizeAfterAppending(itemBytes: Int, section: [UInt8]?) -> Int {
        var size = payload.count + itemBytes + 1  // + root close
        if shape.sectionOpen != nil {
            if section != currentSection {
                if currentSection != nil { size += 1 }  // close previous section
                if sectionsInRoot > 0 { size += 1 }  // comma between sections
                size += (section?.count ?? 0) + 2  // "name": + open
            } else if itemsInSection > 0 {
                size += 1
            }
            size += 1  // section close
        } else if itemsInSection > 0 {
            size += 1
        }
        return size
    }

    func fits(itemBytes: Int, datapoints count: Int, section: [UInt8]?) -> Bool {
        isEmpty
            || (sizeAfterAppending(itemBytes: itemBytes, section: section) <= maxBytes
                && datapoints + count <= maxDatapoints
                && (section == currentSection || sectionsInRoot < maxSections))
    }

    /// Appends an item; `section` is the device name already encoded as a JSON string.
    mutating func append(_ item: ArraySlice<UInt8>, datapoints count: Int, section: [UInt8]?) {
        if let sectionOpen = shape.sectionOpen, let sectionClose = shape.sectionClose {
            if section != currentSection {
                if currentSection != nil { payload.append(sectionClose) }
                if sectionsInRoot > 0 { payload.append(UInt8(ascii: ",")) }
                payload.append(contentsOf: section ?? [])
                payload.append(UInt8(ascii: ":"))
                payload.append(sectionOpen)
                currentSection = section
                sectionsInRoot += 1
                itemsInSection = 0
            }
        }
        if itemsInSection > 0 { payload.append(UInt8(ascii: ",")) }
        payload.append(contentsOf: item)
        itemsInSection += 1
        datapoints += count
    }

    /// Closes the payload and starts an empty one. Returns nil when nothing was appended.
    /// `sections`: the device sections in it (1 for a payload without sections).
    mutating func finish() -> (payload: [UInt8], datapoints: Int, sections: Int)? {
        guard !isEmpty else { return nil }
        if currentSection != nil, let sectionClose = shape.sectionClose { payload.append(sectionClose) }
        payload.append(shape.rootClose)
        let result = (payload, datapoints, max(1, sectionsInRoot))
        reset()
        return result
    }

    private mutating func reset() {
        payload = [shape.rootOpen]
        // Small, growing by doubling when a pack fills the payload: reserving the full 64 KiB
        // here made every message, even a 100-byte one, a 64 KiB block, which glibc hands
        // back to the system on free (madvise, a TLB flush on every core) and faults in again
        // for the next one (about 10 % of the gateway's CPU at 1,000 msg/s), and kept 64 KiB
        // per message in memory until ThingsBoard acknowledged it.
        payload.reserveCapacity(min(maxBytes, 1024))
        datapoints = 0
        currentSection = nil
        itemsInSection = 0
        sectionsInRoot = 0
    }
}
