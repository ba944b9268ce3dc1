/// The requests that read a device's datapoints in as few round trips as possible: per function
/// code, items whose ranges touch or overlap (or are at most `maxGap` apart) share a request, up
/// to the protocol limit (125 registers, 2000 bits) or a lower limit. Pure: built once per device.
public struct ModbusReadPlan: Sendable {
    public struct Request: Sendable {
        public var functionCode: UInt8
        public var address: UInt16
        public var count: UInt16
        /// Items this request serves: their index in the plan's item list and where their
        /// registers (or bits) start in the response.
        public var items: [(itemIndex: Int, offset: Int)]

        /// The part of `response` that belongs to the item at `offset` with `count` objects;
        /// nil when the response is shorter than asked (a faulty device).
        public func slice<Element>(offset: Int, count: Int, in response: [Element]) -> ArraySlice<Element>? {
            guard offset >= 0, offset + count <= response.count else { return nil }
            return response[offset ..< offset + count]
        }
    }

    public var requests: [Request]

    /// Largest reads the protocol allows (PDU size limit).
    public static let maxRegistersPerRead = 125
    public static let maxBitsPerRead = 2000

    /// - Parameters:
    ///   - items: the device's read items (`attributes + timeseries`); requests refer to them by index.
    ///   - maxRegisters: longest register read (FC 3/4), at most 125.
    ///   - maxBits: longest bit read (FC 1/2), at most 2000.
    ///   - maxGap: unrequested objects a request may read to join two items (default 0: never
    ///     read registers nobody asked for — some devices refuse unmapped addresses).
    public init(items: [ModbusReadItem], maxRegisters: Int = maxRegistersPerRead, maxBits: Int = maxBitsPerRead,
                maxGap: Int = 0) {
        let registerLimit = max(1, min(maxRegisters, Self.maxRegistersPerRead))
        let bitLimit = max(1, min(maxBits, Self.maxBitsPerRead))
        let gap = max(0, maxGap)
        let order = items.indices.sorted { left, right in
            let a = items[left], b = items[right]
            if a.functionCode != b.functionCode { return a.functionCode < b.functionCode }
            if a.address != b.address { return a.address < b.address }
            return left < right
        }
        var requests: [Request] = []
        var start = 0, end = 0, cap = 0
        var current: Request?
        for index in order {
            let item = items[index]
            let first = Int(item.address), last = first + item.count
            let itemCap = min(item.readsBits ? bitLimit : registerLimit, item.maxRegistersPerRequest ?? Int.max)
            if var request = current, request.functionCode == item.functionCode, first <= end + gap {
                let newEnd = max(end, last)
                let newCap = min(cap, itemCap)
                if newEnd - start <= newCap {
                    request.items.append((itemIndex: index, offset: first - start))
                    request.count = UInt16(newEnd - start)
                    end = newEnd
                    cap = newCap
                    current = request
                    continue
                }
            }
            if let request = current { requests.append(request) }
            // An item longer than the limit still gets its own request: the device decides.
            current = Request(functionCode: item.functionCode, address: item.address, count: UInt16(item.count),
                              items: [(itemIndex: index, offset: 0)])
            start = first
            end = last
            cap = itemCap
        }
        if let request = current { requests.append(request) }
        self.requests = requests
    }

    /// Calls `body` with every item served by `request` and its part of `response` (registers
    /// for FC 3/4, bits for FC 1/2); items the response is too short for are skipped.
    public func forEachItem<Element>(of request: Request, response: [Element], items: [ModbusReadItem],
                                     _ body: (Int, ArraySlice<Element>) throws -> Void) rethrows {
        for (itemIndex, offset) in request.items {
            guard let slice = request.slice(offset: offset, count: items[itemIndex].count, in: response) else { continue }
            try body(itemIndex, slice)
        }
    }
}
